import type { TemplateFormat } from '@hookmux/core';

import type { WeComFormat } from './wecom-settings.js';

/**
 * What `{{mention login}}` puts inline for a person whose WeCom userid is `userId`.
 *
 * - `markdown` (and the `md` template format): `<@userid>`, which is how WeCom markdown mentions.
 * - `text` (`txt`): `@userid`, display text only. The notification itself comes from
 *   `mentioned_list`, which the sink fills from the message's `mentions`; inlining `<@userid>`
 *   as well would mention twice.
 * - `markdown_v2`, `news`, `template_card`: `@userid` as plain text, since WeCom has no
 *   mention syntax there (robots.md §1.1).
 *
 * With `mentions: false` on the sink, every format gets the plain `@userid`.
 */
export function formatWeComMention(
  userId: string,
  format: WeComFormat | TemplateFormat,
  mentions = true,
): string {
  const markdown = format === 'markdown' || format === 'md';
  return mentions && markdown ? `<@${userId}>` : `@${userId}`;
}
