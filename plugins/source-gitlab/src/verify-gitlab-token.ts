import { HookmuxError, isSameSecret } from '@hookmux/core';

/**
 * GitLab does not sign: it sends the webhook's "Secret token" as is in `X-Gitlab-Token`. Compared
 * in constant time; the 401 never repeats either value.
 */
export function verifyGitLabToken(
  headers: Readonly<Record<string, string | undefined>>,
  secret: string,
): void {
  const token = headers['x-gitlab-token'];
  if (token === undefined || token === '') {
    throw new HookmuxError('HM_ERR_SRC_NO_TOKEN', 'the GitLab request carries no X-Gitlab-Token', {
      hint: '在 GitLab 项目 设置 → Webhooks 中填写“Secret token / 私密令牌”（GitLab Secret token），与 sources.gitlab.secret 相同；或把 secret 设为 none / set the GitLab Secret token to sources.gitlab.secret',
      at: 'X-Gitlab-Token',
    });
  }
  if (!isSameSecret(token, secret)) {
    throw new HookmuxError('HM_ERR_SRC_SIGNATURE', 'the GitLab token (X-Gitlab-Token) does not match', {
      hint: '检查 GitLab Webhook 的 Secret token（GitLab Secret token）是否与 sources.gitlab.secret 一致 / check that the GitLab Secret token equals sources.gitlab.secret',
      at: 'X-Gitlab-Token',
    });
  }
}
