import type { TemplateFormat } from '@hookmux/core';

import type { FeishuFormat } from './feishu-sink-settings.js';

/**
 * What `{{mention login}}` puts inline for a person whose Feishu open_id / user_id is `userId`
 * (robots.md §3.1): `<at user_id="ou_x"></at>` in text and post (the post builder turns it into
 * an `at` tag), `<at id=ou_x></at>` in cards. Feishu fills in the name. With `mentions: false`,
 * `''`: the template prints the person's name.
 */
export function formatFeishuMention(
  userId: string,
  format: FeishuFormat | TemplateFormat,
  mentions = true,
): string {
  if (!mentions) return '';
  return format === 'interactive' ? `<at id=${userId}></at>` : `<at user_id="${userId}"></at>`;
}
