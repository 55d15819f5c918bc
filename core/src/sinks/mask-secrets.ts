/** Query parameters that carry robot credentials or signatures (WeCom `key`, DingTalk `access_token` and `sign`). */
const credentialParams = /([?&](?:key|access_token|sign|token)=)[^&\s"'#]+/gi;

/**
 * Replaces every secret in `text` with `***`, as written and URL-encoded, longest first (a URL
 * before the key inside it), and any credential query parameter whatever its value: for result
 * details and log lines that may quote a URL or an error that quotes one.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret === '') continue;
    masked = masked.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) masked = masked.split(encoded).join('***');
  }
  return masked.replace(credentialParams, '$1***');
}
