import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { LocalHttpServer } from './local-http-server.js';

/**
 * A Feishu/Lark custom bot on 127.0.0.1, for tests: `POST /open-apis/bot/v2/hook/:token` answers
 * like Feishu does (HTTP 200, outcome in `code`; robots.md §3): per-token security (signature
 * in the body, keywords), the JSON shape of each msg_type, the 20 KB body limit, and the
 * 100/min and 5/s limits per token. It records what it accepted and every answer, and can be
 * scripted to fail. Its signature check is written from the spec, independently of hookmux's.
 */
export interface FakeFeishuBot {
  /** Signing secret: requests must carry a valid `timestamp` and `sign`. */
  readonly secret?: string;
  /** At least one must appear in a text-like value. */
  readonly keywords?: readonly string[];
}

export interface FakeFeishuRobotOptions {
  /** Token → security. Default: one open bot, `test-token`. */
  readonly bots?: Readonly<Record<string, FakeFeishuBot>>;
  /** Per token; default Feishu's 100 per minute and 5 per second. */
  readonly rateLimits?: readonly { readonly count: number; readonly windowMs: number }[];
}

export type FakeFeishuScript =
  | { readonly code: number; readonly msg?: string; readonly httpStatus?: number }
  /** A bare HTTP answer (a proxy's 5xx, a gateway's 429), with extra headers (`retry-after`). */
  | { readonly httpStatus: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly hangUp: true }
  | { readonly delayMs: number; readonly then?: FakeFeishuScript };

export interface FakeFeishuMessage {
  readonly token: string;
  readonly msgType: string;
  readonly body: Record<string, unknown>;
  /** Bytes of the request body as received. */
  readonly bytes: number;
  readonly at: number;
}

export interface FakeFeishuAnswer {
  readonly token: string | undefined;
  /** HTTP status; 0 when the socket was destroyed instead. */
  readonly status: number;
  readonly code?: number;
  readonly msg?: string;
  readonly bytes: number;
  readonly at: number;
}

export const fakeFeishuDefaultToken = 'test-token';
export const fakeFeishuMaxBodyBytes = 20 * 1024;
const hookPrefix = '/open-apis/bot/v2/hook/';
const msgTypes = ['text', 'post', 'image', 'share_chat', 'interactive'];
const success = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };
const errors = {
  badRequest: { code: 9499, msg: 'Bad Request' },
  token: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' },
  msgType: { code: 19002, msg: 'param invalid: msg_type' },
  sign: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' },
  keyword: { code: 19024, msg: 'Key Words Not Found' },
  rate: { code: 11232, msg: 'frequency limited' },
} as const;

export class FakeFeishuRobot {
  readonly messages: FakeFeishuMessage[] = [];
  readonly answers: FakeFeishuAnswer[] = [];
  readonly #bots: Map<string, FakeFeishuBot>;
  readonly #scripts: FakeFeishuScript[] = [];
  readonly #admitted = new Map<string, number[]>();
  #rateLimits: { count: number; windowMs: number }[];

  constructor(options: FakeFeishuRobotOptions = {}) {
    this.#bots = new Map(Object.entries(options.bots ?? { [fakeFeishuDefaultToken]: {} }));
    this.#rateLimits = (
      options.rateLimits ?? [
        { count: 100, windowMs: 60_000 },
        { count: 5, windowMs: 1000 },
      ]
    ).map((l) => ({ ...l }));
  }

  readonly #http = new LocalHttpServer('FakeFeishuRobot', (req, res) => this.#handle(req, res));

  async start(): Promise<this> {
    await this.#http.start();
    return this;
  }

  /** Closes every connection too (clients keep them alive), and drops delayed answers. */
  stop(): Promise<void> {
    return this.#http.stop();
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** The full hook URL for `token` (which need not exist: unknown tokens get 19001). */
  url(token: string = fakeFeishuDefaultToken): string {
    return `${this.baseUrl}${hookPrefix}${encodeURIComponent(token)}`;
  }

  addBot(token: string, bot: FakeFeishuBot = {}): void {
    this.#bots.set(token, bot);
  }

  removeBot(token: string): void {
    this.#bots.delete(token);
  }

  setRateLimits(limits: readonly { readonly count: number; readonly windowMs: number }[]): void {
    this.#rateLimits = limits.map((l) => ({ ...l }));
  }

  /** The next `times` requests, whatever their token, get `answer` instead of Feishu's. */
  script(answer: FakeFeishuScript, times = 1): void {
    for (let i = 0; i < times; i++) this.#scripts.push(answer);
  }

  messagesFor(token: string = fakeFeishuDefaultToken): FakeFeishuMessage[] {
    return this.messages.filter((m) => m.token === token);
  }

  reset(): void {
    this.messages.length = 0;
    this.answers.length = 0;
    this.#scripts.length = 0;
    this.#admitted.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const token = path.startsWith(hookPrefix) ? decodeURIComponent(path.slice(hookPrefix.length)) : undefined;
    const exchange: Exchange = { req, res, raw, token, path };
    const scripted = this.#scripts.shift();
    if (scripted !== undefined) return this.#play(scripted, exchange);
    this.#answerNormally(exchange);
  }

  #play(script: FakeFeishuScript, exchange: Exchange): void {
    if ('delayMs' in script) {
      this.#http.later(script.delayMs, () => {
        if (script.then === undefined) this.#answerNormally(exchange);
        else this.#play(script.then, exchange);
      });
      return;
    }
    if ('hangUp' in script) {
      this.#record(exchange, 0);
      exchange.req.socket.destroy();
      return;
    }
    if ('code' in script) {
      this.#answer(
        exchange,
        { code: script.code, msg: script.msg ?? 'scripted error' },
        script.httpStatus ?? 200,
      );
      return;
    }
    this.#record(exchange, script.httpStatus);
    exchange.res.writeHead(script.httpStatus, { 'content-type': 'text/html', ...script.headers });
    exchange.res.end(script.body ?? `<html><body>${script.httpStatus}</body></html>`);
  }

  #answerNormally(exchange: Exchange): void {
    const { req, res, raw, token } = exchange;
    if (req.method !== 'POST' || token === undefined || token === '' || token.includes('/')) {
      this.#record(exchange, 404);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    const bot = this.#bots.get(token);
    // Measured: a wrong token gets 19001 whatever the body (robots.md §3.5, F5).
    if (bot === undefined) return this.#answer(exchange, errors.token);
    if (Buffer.byteLength(raw, 'utf8') > fakeFeishuMaxBodyBytes)
      return this.#answer(exchange, errors.badRequest);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.#answer(exchange, errors.badRequest);
    }
    if (!isRecord(body)) return this.#answer(exchange, errors.badRequest);
    if (bot.secret !== undefined && !isSignedBy(body, bot.secret)) return this.#answer(exchange, errors.sign);
    if (!this.#admit(token)) return this.#answer(exchange, errors.rate);
    const msgType = body['msg_type'];
    if (typeof msgType !== 'string' || !msgTypes.includes(msgType))
      return this.#answer(exchange, errors.msgType);
    if (!hasValidShape(msgType, body)) return this.#answer(exchange, errors.badRequest);
    const keywords = bot.keywords ?? [];
    if (keywords.length > 0) {
      const text = collectText(body);
      if (!keywords.some((k) => text.includes(k))) return this.#answer(exchange, errors.keyword);
    }
    this.messages.push({ token, msgType, body, bytes: Buffer.byteLength(raw, 'utf8'), at: Date.now() });
    this.#answer(exchange, success);
  }

  /** Every window must have room (Feishu's two limits hold together). */
  #admit(token: string): boolean {
    const now = Date.now();
    const longest = Math.max(0, ...this.#rateLimits.map((l) => l.windowMs));
    const recent = (this.#admitted.get(token) ?? []).filter((t) => now - t < longest);
    const admitted = this.#rateLimits.every(
      (l) => recent.filter((t) => now - t < l.windowMs).length < l.count,
    );
    if (admitted) recent.push(now);
    this.#admitted.set(token, recent);
    return admitted;
  }

  #answer(exchange: Exchange, body: { code: number; msg: string }, status = 200): void {
    this.#record(exchange, status, body.code, body.msg);
    exchange.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    exchange.res.end(JSON.stringify(body.code === 0 ? body : { code: body.code, data: {}, msg: body.msg }));
  }

  #record(exchange: Exchange, status: number, code?: number, msg?: string): void {
    this.answers.push({
      token: exchange.token,
      status,
      ...(code === undefined ? {} : { code }),
      ...(msg === undefined ? {} : { msg }),
      bytes: Buffer.byteLength(exchange.raw, 'utf8'),
      at: Date.now(),
    });
  }
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly raw: string;
  readonly token: string | undefined;
  readonly path: string;
}

/** robots.md §3.2: key = `timestamp + "\n" + secret`, empty message, base64; seconds, ±1 h. */
function isSignedBy(body: Record<string, unknown>, secret: string): boolean {
  const ts = body['timestamp'];
  const sign = body['sign'];
  const timestamp = typeof ts === 'number' ? String(ts) : ts;
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp) || typeof sign !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 3600) return false;
  const expected = createHmac('sha256', `${timestamp}\n${secret}`).digest('base64');
  const a = createHash('sha256').update(sign).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The shapes robots.md §3.1 documents for each msg_type. */
export function hasValidShape(msgType: string, body: Record<string, unknown>): boolean {
  const content = body['content'];
  switch (msgType) {
    case 'text':
      return isRecord(content) && isFilled(content['text']);
    case 'image':
      return isRecord(content) && isFilled(content['image_key']);
    case 'share_chat':
      return (
        isRecord(content) && (isFilled(content['share_chat_id']) || isFilled(content['share_open_chat_id']))
      );
    case 'post': {
      const post = isRecord(content) ? content['post'] : undefined;
      if (!isRecord(post)) return false;
      const locales = Object.values(post);
      return locales.length > 0 && locales.every(isValidPostLocale);
    }
    case 'interactive': {
      const card = body['card'];
      if (!isRecord(card)) return false;
      const cardBody = card['body'];
      const elements = isRecord(cardBody) ? cardBody['elements'] : card['elements'];
      return (
        (elements === undefined || Array.isArray(elements)) &&
        (elements !== undefined || isRecord(card['header']))
      );
    }
    default:
      return false;
  }
}

const postTags: Readonly<Record<string, (e: Record<string, unknown>) => boolean>> = {
  text: (e) => typeof e['text'] === 'string',
  a: (e) => typeof e['text'] === 'string' && isFilled(e['href']),
  at: (e) => isFilled(e['user_id']),
  img: (e) => isFilled(e['image_key']),
};

function isValidPostLocale(locale: unknown): boolean {
  if (!isRecord(locale)) return false;
  if (locale['title'] !== undefined && typeof locale['title'] !== 'string') return false;
  const rows = locale['content'];
  if (!Array.isArray(rows)) return false;
  return rows.every(
    (row) =>
      Array.isArray(row) &&
      row.every((e) => isRecord(e) && typeof e['tag'] === 'string' && (postTags[e['tag']]?.(e) ?? true)),
  );
}

/** Text-like values only (robots.md §3.1): `text`, `title`, `content` strings, never `href`. */
function collectText(value: unknown, depth = 0): string {
  if (depth > 32 || typeof value !== 'object' || value === null) return '';
  const found: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') {
      if (key === 'text' || key === 'title' || key === 'content') found.push(item);
    } else found.push(collectText(item, depth + 1));
  }
  return found.join('\n');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isFilled(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
