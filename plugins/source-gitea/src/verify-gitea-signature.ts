import { createHmac } from 'node:crypto';

import { HookmuxError, isSameSecret } from '@hookmux/core';

/** Hex HMAC-SHA256 of the raw body, keyed by the hook secret: `X-Gitea-Signature` (and Forgejo's, Gogs'). */
export function signGiteaBody(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * The signature headers, first found wins: Gitea, Forgejo and Gogs each send their own (Forgejo
 * also the Gitea one), newer Gitea also GitHub's `X-Hub-Signature-256: sha256=<hex>`.
 */
export function readGiteaSignature(
  headers: Readonly<Record<string, string | undefined>>,
): string | undefined {
  for (const name of ['x-gitea-signature', 'x-forgejo-signature', 'x-gogs-signature']) {
    const value = headers[name]?.trim();
    if (value) return value.toLowerCase();
  }
  const hub = headers['x-hub-signature-256']?.trim().toLowerCase();
  return hub?.startsWith('sha256=') ? hub.slice('sha256='.length) : undefined;
}

export function verifyGiteaSignature(
  rawBody: Buffer,
  headers: Readonly<Record<string, string | undefined>>,
  secret: string,
): void {
  const received = readGiteaSignature(headers);
  if (received === undefined) {
    throw new HookmuxError(
      'HM_ERR_SRC_NO_TOKEN',
      'the Gitea request carries no X-Gitea-Signature (or Forgejo/Gogs signature)',
      {
        hint: '在 Gitea/Forgejo/Gogs 仓库 设置 → Web 钩子 中填写“密钥”（Gitea 密钥），与 sources.gitea.secret 相同；或把 secret 设为 none / set the Gitea webhook Secret to sources.gitea.secret',
        at: 'X-Gitea-Signature',
      },
    );
  }
  if (!isSameSecret(received, signGiteaBody(rawBody, secret))) {
    throw new HookmuxError('HM_ERR_SRC_SIGNATURE', 'the Gitea signature does not match the body', {
      hint: '检查 Gitea/Forgejo/Gogs Web 钩子的“密钥”（Gitea 密钥）是否与 sources.gitea.secret 一致 / check that the Gitea webhook Secret equals sources.gitea.secret',
      at: 'X-Gitea-Signature',
    });
  }
}
