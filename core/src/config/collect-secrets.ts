import { isPlainRecord } from './format-key-path.js';
import type { HookmuxConfig } from './hookmux-config.js';
import type { ConfigPlugins } from './validate-plugin-sections.js';

/** Shorter values are placeholders (`none`, `off`); masking them would garble ordinary words. */
const minSecretLength = 5;
/** A section of a sink type no plugin provides is still masked, by the usual names of secrets. */
const likelySecretKey = /secret|token|password|passwd|key|webhook|sign/i;

/**
 * Every secret value in force, for log redaction: `admin.token`, each sink's and source's
 * `secretKeys` (dot paths; `*` matches any map key, and such keys are collected too, since
 * DingTalk/Feishu-style robot maps are keyed by access token). A secret that is a URL also
 * yields its query values and long last path segment, which logs may show on their own.
 */
export function collectSecrets(config: HookmuxConfig, plugins: ConfigPlugins): string[] {
  const found = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' || typeof value === 'number') {
      const text = String(value);
      if (text === '') return;
      found.add(text);
      for (const part of urlParts(text)) found.add(part);
    }
  };

  add(config.admin.token);
  if (config.storage.type === 'redis' && URL.canParse(config.storage.url)) {
    const password = new URL(config.storage.url).password;
    if (password !== '') add(decodeURIComponent(password));
  }
  const sinkTypes = new Map(plugins.sinks.map((sink) => [sink.type, sink]));
  for (const section of Object.values(config.sinks)) {
    const keys =
      sinkTypes.get(section.type)?.secretKeys ?? Object.keys(section).filter((k) => likelySecretKey.test(k));
    for (const key of keys) collectAt(section, key.split('.'), add);
  }
  const sources = new Map(plugins.sources.map((source) => [source.id, source]));
  for (const [id, section] of Object.entries(config.sources)) {
    const keys = sources.get(id)?.secretKeys ?? Object.keys(section).filter((k) => likelySecretKey.test(k));
    for (const key of keys) collectAt(section, key.split('.'), add);
  }
  return [...found].filter((s) => s.length >= minSecretLength).sort((a, b) => b.length - a.length);
}

/** Replaces every secret (and its URL-encoded form) in `text` with `***`, longest first. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < minSecretLength) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is masked whole.
  let masked = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    if (masked.includes(form)) masked = masked.split(form).join('***');
  }
  return masked;
}

function collectAt(node: unknown, path: readonly string[], add: (value: unknown) => void): void {
  const [head, ...rest] = path;
  if (head === undefined) {
    if (Array.isArray(node)) node.forEach(add);
    else add(node);
    return;
  }
  if (!isPlainRecord(node)) return;
  if (head === '*') {
    for (const [key, value] of Object.entries(node)) {
      add(key);
      collectAt(value, rest, add);
    }
  } else if (Object.hasOwn(node, head)) {
    collectAt(node[head], rest, add);
  }
}

/** `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K` → `K`; Feishu's hook token is the last segment. */
function urlParts(text: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || !URL.canParse(text)) return [];
  const url = new URL(text);
  const parts = [...url.searchParams.values()];
  if (url.password !== '') parts.push(decodeURIComponent(url.password));
  const last = url.pathname.split('/').pop() ?? '';
  if (last.length >= 16) parts.push(last);
  return parts;
}
