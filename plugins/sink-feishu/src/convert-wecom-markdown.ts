/** One element of a Feishu post paragraph (robots.md §3.1). */
export type FeishuPostElement =
  | { readonly tag: 'text'; readonly text: string }
  | { readonly tag: 'a'; readonly text: string; readonly href: string }
  | { readonly tag: 'at'; readonly user_id: string };

/** WeCom's three colours → Feishu card colours. */
const cardColours: Readonly<Record<string, string>> = { info: 'green', comment: 'grey', warning: 'orange' };

const inlineToken =
  /\[((?:[^[\]\n]|\[[^[\]\n]*\])*)\]\(([^)\s]+)\)|<at\s+user_id="([^"]+)"[^>]*>[^<]*<\/at>|<at\s+id=["']?([^"'\s>]+)["']?\s*>[^<]*<\/at>|<@([^>\s]+)>/g;

/**
 * The WeCom-flavoured markdown the templates write (v1 subset) → Feishu post paragraphs, one per
 * line: links become `a` tags, mentions `at` tags; bold, code, colours, quote and heading marks,
 * which a post cannot show, are dropped and their text kept.
 */
export function toFeishuPostParagraphs(markdown: string): FeishuPostElement[][] {
  return markdown.split('\n').map((line) => {
    const clean = stripInlineMarks(line.replace(/^\s{0,3}(?:#{1,6}\s+|>\s?)/, ''));
    const elements: FeishuPostElement[] = [];
    let last = 0;
    const pushText = (text: string): void => {
      if (text !== '') elements.push({ tag: 'text', text });
    };
    for (const match of clean.matchAll(inlineToken)) {
      pushText(clean.slice(last, match.index));
      last = match.index + match[0].length;
      const [, linkText, href, userId, cardId, weComId] = match;
      if (href !== undefined) elements.push({ tag: 'a', text: linkText || href, href });
      else elements.push({ tag: 'at', user_id: userId ?? cardId ?? weComId ?? '' });
    }
    pushText(clean.slice(last));
    return elements.length > 0 ? elements : [{ tag: 'text', text: '' }];
  });
}

/**
 * WeCom markdown → Feishu card markdown (schema 2.0 `markdown` element, lark_md compatible):
 * `<font color="info|comment|warning">` → green / grey / orange, `<@id>` and text-style
 * `<at user_id>` → `<at id=…></at>`, quote marks dropped (cards have no quotes).
 */
export function toLarkMarkdown(markdown: string): string {
  return markdown
    .replace(/<font\s+color\s*=\s*["']?(\w+)["']?\s*>/gi, (_all, colour: string) => {
      const mapped = cardColours[colour.toLowerCase()] ?? colour.toLowerCase();
      return `<font color='${mapped}'>`;
    })
    .replace(/<at\s+user_id="([^"]+)"[^>]*>[^<]*<\/at>/g, '<at id=$1></at>')
    .replace(/<@([^>\s]+)>/g, '<at id=$1></at>')
    .replace(/^\s{0,3}>\s?/gm, '');
}

/** Drops the marks of bold, inline code and colour spans, keeping their text. */
function stripInlineMarks(line: string): string {
  return line
    .replace(/<font\b[^>]*>([\s\S]*?)<\/font>/gi, '$1')
    .replace(/\*\*((?:(?!\*\*)[^\n])+)\*\*/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1');
}
