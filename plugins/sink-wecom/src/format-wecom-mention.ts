import type { TemplateFormat } from '@hookmux/core';

import type { WeComFormat } from './wecom-settings.js';

/**
 * What `{{mention login}}` puts inline for a person whose WeCom userid is `userId`.
 *
 * - `markdown` (and the `md` template format): `<@userid>`, which is how WeCom markdown mentions.
 * - every other format: `''`, which makes `{{mention}}` print `@name` (the person's name in
 *   `people:`). In `text` the notification comes from `mentioned_list`, which the sink fills from
 *   the message's `mentions`; a userid in the content would only show an internal id (issue 13).
 *   `markdown_v2`, `news` and `template_card` have no mention syntax (robots.md §1.1).
 *
 * With `mentions: false` on the sink, every format gets the name.
 */
export function formatWeComMention(
  userId: string,
  format: WeComFormat | TemplateFormat,
  mentions = true,
): string {
  const markdown = format === 'markdown' || format === 'md';
  return mentions && markdown ? `<@${userId}>` : '';
}
