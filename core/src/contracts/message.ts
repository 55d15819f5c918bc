/** Service identifier kept for symmetry with the other contracts (a Message is plain data). */
export const Message = Symbol.for('@hookmux/core/Message');

/** Who a message mentions, in the sink's own id namespace. */
export interface Mentions {
  /** User ids (WeCom userid, DingTalk userId, Feishu open_id). */
  readonly userIds: readonly string[];
  readonly mobiles: readonly string[];
  readonly all: boolean;
}

/**
 * A rendered message for one sink: what the template produced, before the sink turns it into
 * its wire format. It is plain JSON so that a queue can store it.
 */
export interface Message {
  readonly eventId: string;
  readonly eventName: string;
  /** The sink's name in the config (`team-a`). */
  readonly sink: string;
  /** Which template format produced `text`: `md` or `txt`. */
  readonly format: TemplateFormat;
  /** The rendered template body, front matter removed. */
  readonly text: string;
  /** Front matter of the template, rendered: title, description, url, picurl, card fields, ... */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly mentions: Mentions;
  /** Link to the full thing (truncation marker, digest). */
  readonly url?: string;
  /** One-line summary of the event (digest). */
  readonly summary: string;
  /** How many events this message stands for (> 1 for a merged digest). */
  readonly count: number;
}

export const templateFormats = ['md', 'txt'] as const;
export type TemplateFormat = (typeof templateFormats)[number];

/**
 * The markup a message's text ends up in, which decides how the values a template prints are
 * escaped (core/src/templates/escape-for-dialect.ts). A sink names it with `Sink.dialect`;
 * without one, `md` templates are escaped as `markdown` and `txt` as `text`.
 */
export const dialects = [
  'wecom-markdown',
  'wecom-markdown-v2',
  'wecom-text',
  'dingtalk-markdown',
  'dingtalk-text',
  'feishu-post',
  'feishu-lark-md',
  'feishu-text',
  'markdown',
  'text',
] as const;
export type Dialect = (typeof dialects)[number];

export const noMentions: Mentions = { userIds: [], mobiles: [], all: false };
