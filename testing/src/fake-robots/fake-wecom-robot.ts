import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { LocalHttpServer } from './local-http-server.js';

/**
 * A WeCom group robot on 127.0.0.1, for tests: `POST /cgi-bin/webhook/send?key=K` answers like
 * WeCom does (HTTP 200, outcome in `errcode`; robots.md §1), validates each message type's JSON,
 * counts limits in UTF-8 bytes, and enforces a per-key rate limit. It records what it accepted
 * and every answer, and can be scripted to fail.
 */
export interface FakeWeComRobotOptions {
  /** Keys that exist at start (more with `addKey`). Default: one key, `test-key`. */
  readonly keys?: readonly string[];
  /** Per key; default 20 per 60 s, like WeCom. */
  readonly rateLimit?: { readonly count: number; readonly windowMs: number };
}

/** A forced answer for the next requests, or for a key in an outage. */
export type FakeWeComScript =
  | { readonly errcode: number; readonly errmsg?: string }
  /** A bare HTTP answer (a proxy's 5xx, a gateway's 429), with extra headers (`retry-after`). */
  | { readonly httpStatus: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly hangUp: true }
  /** Wait, then answer normally (or with `then`): for timeouts. */
  | { readonly delayMs: number; readonly then?: FakeWeComScript };

export interface FakeWeComMessage {
  readonly key: string;
  readonly msgtype: string;
  readonly body: Record<string, unknown>;
  /** `Date.now()` when accepted. */
  readonly at: number;
}

export interface FakeWeComAnswer {
  readonly key: string | undefined;
  readonly msgtype: string | undefined;
  /** HTTP status; 0 when the socket was destroyed instead. */
  readonly status: number;
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly at: number;
}

export const fakeWeComDefaultKey = 'test-key';
const sendPath = '/cgi-bin/webhook/send';
const knownMsgtypes = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card'];

export class FakeWeComRobot {
  readonly messages: FakeWeComMessage[] = [];
  readonly answers: FakeWeComAnswer[] = [];
  readonly #keys: Set<string>;
  readonly #outages = new Map<string, FakeWeComScript>();
  readonly #scripts: FakeWeComScript[] = [];
  readonly #admitted = new Map<string, number[]>();
  #rateLimit: { count: number; windowMs: number };

  constructor(options: FakeWeComRobotOptions = {}) {
    this.#keys = new Set(options.keys ?? [fakeWeComDefaultKey]);
    this.#rateLimit = { ...(options.rateLimit ?? { count: 20, windowMs: 60_000 }) };
  }

  readonly #http = new LocalHttpServer('FakeWeComRobot', (req, res) => this.#handle(req, res));

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

  /** The full webhook URL for `key` (which need not exist: unknown keys get 93000). */
  url(key: string = fakeWeComDefaultKey): string {
    return `${this.baseUrl}${sendPath}?key=${encodeURIComponent(key)}`;
  }

  addKey(key: string): void {
    this.#keys.add(key);
  }

  /** Like removing the robot from the group: its key answers 93000 from now on. */
  removeKey(key: string): void {
    this.#keys.delete(key);
  }

  /** While on, every request for `key` gets `answer` (default HTTP 503). */
  setOutage(key: string, on: boolean, answer: FakeWeComScript = { httpStatus: 503 }): void {
    if (on) this.#outages.set(key, answer);
    else this.#outages.delete(key);
  }

  setRateLimit(rateLimit: { readonly count: number; readonly windowMs: number }): void {
    this.#rateLimit = { ...rateLimit };
  }

  /** The next `times` requests, whatever their key, get `answer` instead of WeCom's. */
  script(answer: FakeWeComScript, times = 1): void {
    for (let i = 0; i < times; i++) this.#scripts.push(answer);
  }

  messagesFor(key: string = fakeWeComDefaultKey): FakeWeComMessage[] {
    return this.messages.filter((m) => m.key === key);
  }

  /** Forgets recorded traffic, scripts, outages and rate-limit history (keys stay). */
  reset(): void {
    this.messages.length = 0;
    this.answers.length = 0;
    this.#scripts.length = 0;
    this.#outages.clear();
    this.#admitted.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = target.searchParams.get('key') ?? undefined;
    const msgtype = peekMsgtype(raw);
    const scripted = this.#scripts.shift() ?? (key === undefined ? undefined : this.#outages.get(key));
    if (scripted !== undefined)
      return this.#play(scripted, { req, res, raw, key, msgtype, path: target.pathname });
    this.#answerNormally({ req, res, raw, key, msgtype, path: target.pathname });
  }

  #play(script: FakeWeComScript, exchange: Exchange): void {
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
    if ('httpStatus' in script) {
      this.#record(exchange, script.httpStatus);
      exchange.res.writeHead(script.httpStatus, { 'content-type': 'text/html', ...script.headers });
      exchange.res.end(script.body ?? `<html><body>${script.httpStatus}</body></html>`);
      return;
    }
    this.#answer(exchange, script.errcode, script.errmsg ?? 'scripted error');
  }

  #answerNormally(exchange: Exchange): void {
    const { res, raw, key, path } = exchange;
    if (exchange.req.method !== 'POST' || path !== sendPath) {
      this.#record(exchange, 404);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (key === undefined || !this.#keys.has(key))
      return this.#answer(exchange, 93000, 'invalid webhook url');
    if (!this.#admit(key)) return this.#answer(exchange, 45009, 'api freq out of limit');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.#answer(
        exchange,
        40058,
        'Warning: wrong json format. Invalid input invalid Request Parameter',
      );
    }
    const problem = findWeComBodyProblem(body);
    if (problem !== undefined) return this.#answer(exchange, problem.errcode, problem.errmsg);
    const record = body as Record<string, unknown>;
    this.messages.push({ key, msgtype: String(record['msgtype']), body: record, at: Date.now() });
    this.#answer(exchange, 0, 'ok');
  }

  /** Sliding window over the requests let through, per key. */
  #admit(key: string): boolean {
    const now = Date.now();
    const recent = (this.#admitted.get(key) ?? []).filter((t) => now - t < this.#rateLimit.windowMs);
    const admitted = recent.length < this.#rateLimit.count;
    if (admitted) recent.push(now);
    this.#admitted.set(key, recent);
    return admitted;
  }

  #answer(exchange: Exchange, errcode: number, errmsg: string): void {
    const text = errcode === 0 ? errmsg : withWeComSuffix(errmsg, errcode);
    this.#record(exchange, 200, errcode, text);
    exchange.res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    exchange.res.end(JSON.stringify({ errcode, errmsg: text }));
  }

  #record(exchange: Exchange, status: number, errcode?: number, errmsg?: string): void {
    this.answers.push({
      key: exchange.key,
      msgtype: exchange.msgtype,
      status,
      ...(errcode === undefined ? {} : { errcode }),
      ...(errmsg === undefined ? {} : { errmsg }),
      at: Date.now(),
    });
  }
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly raw: string;
  readonly key: string | undefined;
  readonly msgtype: string | undefined;
  readonly path: string;
}

/** WeCom's error suffix (robots.md §1.6): callers must match on errcode, not the whole text. */
function withWeComSuffix(errmsg: string, errcode: number): string {
  const hint = `${Date.now()}${String(randomInt(1e9)).padStart(9, '0')}`;
  return `${errmsg}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function peekMsgtype(raw: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) && typeof parsed['msgtype'] === 'string' ? parsed['msgtype'] : undefined;
  } catch {
    return undefined;
  }
}

interface WeComProblem {
  readonly errcode: number;
  readonly errmsg: string;
}

const badParameter = 'Invalid input invalid Request Parameter';

/** The checks WeCom makes on a message body, with its codes (robots.md §1.1, §1.3, §1.6). */
export function findWeComBodyProblem(body: unknown): WeComProblem | undefined {
  if (!isRecord(body)) return { errcode: 40058, errmsg: `Warning: wrong json format. ${badParameter}` };
  const msgtype = body['msgtype'];
  if (typeof msgtype !== 'string' || !knownMsgtypes.includes(msgtype))
    return { errcode: 40008, errmsg: 'invalid message type' };
  const content = body[msgtype];
  if (!isRecord(content)) return { errcode: 40058, errmsg: `missing ${msgtype}. ${badParameter}` };
  switch (msgtype) {
    case 'text':
      return (
        checkContent(content, 'text', 2048) ??
        checkStringList(content, 'text.mentioned_list') ??
        checkStringList(content, 'text.mentioned_mobile_list')
      );
    case 'markdown':
    case 'markdown_v2':
      return checkContent(content, msgtype, 4096);
    case 'news':
      return checkNews(content);
    case 'template_card':
      return checkTemplateCard(content);
    case 'image':
      return typeof content['base64'] === 'string' && typeof content['md5'] === 'string'
        ? undefined
        : { errcode: 40058, errmsg: `image.base64 and image.md5 are required. ${badParameter}` };
    default:
      return typeof content['media_id'] === 'string' && content['media_id'] !== ''
        ? undefined
        : { errcode: 40058, errmsg: `${msgtype}.media_id is required. ${badParameter}` };
  }
}

function checkContent(
  content: Record<string, unknown>,
  msgtype: string,
  maxBytes: number,
): WeComProblem | undefined {
  const text = content['content'];
  if (typeof text !== 'string' || text.trim() === '') return { errcode: 44004, errmsg: 'empty content' };
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    return { errcode: 40058, errmsg: `${msgtype}.content exceed max length ${maxBytes}. ${badParameter}` };
  }
  return undefined;
}

function checkStringList(content: Record<string, unknown>, path: string): WeComProblem | undefined {
  const list = content[path.split('.')[1] ?? ''];
  if (list === undefined || (Array.isArray(list) && list.every((v) => typeof v === 'string')))
    return undefined;
  return { errcode: 40058, errmsg: `${path} must be a list of strings. ${badParameter}` };
}

function checkNews(content: Record<string, unknown>): WeComProblem | undefined {
  const articles = content['articles'];
  if (!Array.isArray(articles) || articles.length === 0)
    return { errcode: 40058, errmsg: `news.articles is empty. ${badParameter}` };
  if (articles.length > 8) return { errcode: 45008, errmsg: 'article size out of limit' };
  for (const [i, article] of articles.entries()) {
    if (!isRecord(article) || !isFilled(article['title']) || !isFilled(article['url'])) {
      return { errcode: 40058, errmsg: `news.articles[${i}] needs title and url. ${badParameter}` };
    }
  }
  return undefined;
}

function checkTemplateCard(card: Record<string, unknown>): WeComProblem | undefined {
  const cardType = card['card_type'];
  if (cardType !== 'text_notice' && cardType !== 'news_notice') {
    return {
      errcode: 40058,
      errmsg: `template_card.card_type must be text_notice or news_notice. ${badParameter}`,
    };
  }
  const action = card['card_action'];
  const actionOk =
    isRecord(action) &&
    ((action['type'] === 1 && isFilled(action['url'])) ||
      (action['type'] === 2 && isFilled(action['appid'])));
  if (!actionOk) return { errcode: 40058, errmsg: `template_card.card_action is required. ${badParameter}` };
  const mainTitle = card['main_title'];
  const title = isRecord(mainTitle) ? mainTitle['title'] : undefined;
  if (cardType === 'text_notice' && !isFilled(title) && !isFilled(card['sub_title_text'])) {
    return {
      errcode: 40058,
      errmsg: `template_card needs main_title.title or sub_title_text. ${badParameter}`,
    };
  }
  if (cardType === 'news_notice') {
    const image = card['card_image'];
    if (!isFilled(title) || !isRecord(image) || !isFilled(image['url'])) {
      return {
        errcode: 40058,
        errmsg: `template_card news_notice needs main_title.title and card_image.url. ${badParameter}`,
      };
    }
  }
  return undefined;
}

function isFilled(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
