import { withoutLinkTargets } from '@hookmux/core';

/** Keys whose string values Feishu checks keywords against: text-like values, never `href` or URLs (robots.md §3.1). */
const textKeys = new Set(['text', 'title', 'content', 'user_name']);
const maxDepth = 32;

/**
 * The text-like values of a message (`content` or `card`), joined, for the keyword check. A card
 * sent as a JSON string is read as a card.
 */
export function collectFeishuKeywordText(body: Readonly<Record<string, unknown>>): string {
  const found: string[] = [];
  const card = typeof body['card'] === 'string' ? tryParse(body['card']) : body['card'];
  walk(body['content'], found, 0);
  walk(card, found, 0);
  // Link targets inside text (`[t](url)`, `<link url>`, bare URLs) are not text either.
  return withoutLinkTargets(found.join('\n'));
}

/** True when `text` contains one of `keywords` (none configured: always true). */
export function hasFeishuKeyword(text: string, keywords: readonly string[]): boolean {
  return keywords.length === 0 || keywords.some((k) => text.includes(k));
}

function walk(value: unknown, found: string[], depth: number): void {
  if (depth > maxDepth || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, found, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') {
      if (textKeys.has(key)) found.push(item);
    } else walk(item, found, depth + 1);
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
