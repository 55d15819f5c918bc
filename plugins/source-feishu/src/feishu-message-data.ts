/** The Feishu message types the compatible endpoint accepts (robots.md §3.1). */
export const feishuMsgTypes = ['text', 'post', 'interactive', 'image', 'share_chat'] as const;
export type FeishuMsgType = (typeof feishuMsgTypes)[number];

/** A piece of a paragraph, in the order it appears. Templates switch on `kind`. */
export type FeishuSegment =
  /**
   * `markdown` is WeCom markdown (v1 subset) for `.md` templates, safe to print raw
   * (`{{{markdown}}}`: plain text escaped, a card's markup without mention tags or non-http links);
   * `text` is plain, for `.txt` (print it escaped, `{{text}}`).
   */
  | { readonly kind: 'text'; readonly text: string; readonly markdown: string }
  | { readonly kind: 'link'; readonly text: string; readonly url: string }
  /**
   * A mention. `login` is the Feishu user id (open_id / user_id), so `{{mention this}}` resolves it
   * through `people:` entries' `feishu` key; `name` is the display name the client gave, if any.
   */
  | { readonly kind: 'at'; readonly all: boolean; readonly login?: string; readonly name: string }
  | { readonly kind: 'image'; readonly imageKey: string };

export interface FeishuLink {
  readonly title: string;
  readonly url: string;
}

export interface FeishuMentionedPerson {
  /** Feishu open_id / user_id: look-ups use `people[].feishu`. */
  readonly login: string;
  readonly name?: string;
}

/**
 * `event.data` of a `feishu.message.*` event: a neutral view of any message type, for templates.
 * README.md documents each field.
 */
export interface FeishuMessageData {
  readonly msgType: FeishuMsgType;
  /** Post title, card header title (and subtitle), when there is one. */
  readonly title?: string;
  /** The whole message as WeCom markdown, safe to print raw: title as a bold line, mentions as `@name`, buttons as links. */
  readonly markdown: string;
  /** The whole message as plain text. */
  readonly text: string;
  /** The body, paragraph by paragraph, for templates that mention inline. */
  readonly paragraphs: readonly (readonly FeishuSegment[])[];
  /** Every link in the body (`a` tags, markdown links, bare URLs in text), in order. */
  readonly links: readonly FeishuLink[];
  /** Card buttons that open a URL. */
  readonly buttons: readonly FeishuLink[];
  readonly mentions: { readonly all: boolean; readonly people: readonly FeishuMentionedPerson[] };
  /** The hook token the message was posted to (a secret: do not print it). */
  readonly robot: string;
  /** `image` messages: the image key (the picture itself needs Feishu app credentials). */
  readonly imageKey?: string;
  /** `share_chat` messages: the shared group's chat id. */
  readonly shareChatId?: string;
}
