import { createHmac } from 'node:crypto';

import { HookmuxError, isSameSecret } from '@hookmux/core';

const secretHint =
  '检查 GitHub 仓库 Settings → Webhooks 中该 Webhook 的 Secret（GitHub Webhook Secret）是否与 sources.github.secret 一致 / check that the GitHub Webhook Secret equals sources.github.secret';

/** `sha256=` + hex HMAC-SHA256 of the raw body, keyed by the webhook secret: what GitHub sends. */
export function signGitHubBody(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks `X-Hub-Signature-256` over the raw bytes, in constant time; throws a 401 whose message
 * never contains the secret or the received signature. (The SHA-1 `X-Hub-Signature` is not
 * accepted: every GitHub, and GitHub Enterprise Server since 2.23, sends the SHA-256 one.)
 */
export function verifyGitHubSignature(
  rawBody: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
  secret: string,
): void {
  const received = headers['x-hub-signature-256']?.trim();
  if (received === undefined || received === '') {
    throw new HookmuxError('HM_ERR_SRC_NO_TOKEN', 'the GitHub request carries no X-Hub-Signature-256', {
      hint: `在 GitHub 的 Webhook 设置中填写 Secret（GitHub Webhook Secret），与 sources.github.secret 相同；或把 secret 设为 none 接受未签名的请求 / set the GitHub Webhook Secret to sources.github.secret${headers['x-hub-signature'] ? ' (only the old SHA-1 X-Hub-Signature came: upgrade GitHub Enterprise)' : ''}`,
      at: 'X-Hub-Signature-256',
    });
  }
  const expected = signGitHubBody(rawBody, secret);
  if (!isSameSecret(received.toLowerCase(), expected)) {
    throw new HookmuxError(
      'HM_ERR_SRC_SIGNATURE',
      'the GitHub signature (X-Hub-Signature-256) does not match the body',
      {
        hint: secretHint,
        at: 'X-Hub-Signature-256',
      },
    );
  }
}
