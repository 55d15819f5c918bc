import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { LocalHttpServer } from './local-http-server.js';

/**
 * A DingTalk custom robot on 127.0.0.1, for tests: `POST /robot/send?access_token=T` answers like
 * DingTalk does (HTTP 200, outcome in `errcode`; robots.md §2), with each token's security
 * settings (加签 secret checked with DingTalk's algorithm and ±1 h window, keywords), the JSON
 * shape of each msgtype checked (400402 naming `<msgtype> --》 <field>`), and 20 messages a
 * minute per token (130101 beyond). It records what it accepted and every answer, and can be
 * scripted to fail.
 */
export interface FakeDingTalkRobotOptions {
  /** Tokens that exist at start, with their security settings (more with `addToken`). Default: `test-token`, no security. */
  readonly tokens?: Readonly<Record<string, FakeDingTalkSecurity>>;
  /** Per token; default 20 per 60 s, like DingTalk. */
  readonly rateLimit?: { readonly count: number; readonly windowMs: number };
}

export interface FakeDingTalkSecurity {
  readonly secret?: string;
  readonly keywords?: readonly string[];
}

/** A forced answer for the next requests. */
export type FakeDingTalkScript =
  | { readonly errcode: number; readonly errmsg?: string }
  /** A bare HTTP answer (a proxy's 5xx, a gateway's 429), with extra headers (`retry-after`). */
  | { readonly httpStatus: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly hangUp: true }
  /** Wait, then answer normally (or with `then`): for timeouts. */
  | { readonly delayMs: number; readonly then?: FakeDingTalkScript };

export interface FakeDingTalkMessage {
  readonly token: string;
  readonly msgtype: string;
  readonly body: Record<string, unknown>;
  /** Whether the request carried a valid signature. */
  readonly signed: boolean;
  readonly at: number;
}

export interface FakeDingTalkAnswer {
  readonly token: string | undefined;
  readonly msgtype: string | undefined;
  /** HTTP status; 0 when the socket was destroyed instead. */
  readonly status: number;
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly at: number;
}

export const fakeDingTalkDefaultToken = 'test-token';
const sendPath = '/robot/send';
const knownMsgtypes = ['text', 'markdown', 'link', 'actionCard', 'feedCard'];
const signWindowMs = 60 * 60 * 1000;

export class FakeDingTalkRobot {
  readonly messages: FakeDingTalkMessage[] = [];
  readonly answers: FakeDingTalkAnswer[] = [];
  readonly #tokens: Map<string, FakeDingTalkSecurity>;
  readonly #scripts: FakeDingTalkScript[] = [];
  readonly #admitted = new Map<string, number[]>();
  #rateLimit: { count: number; windowMs: number };

  constructor(options: FakeDingTalkRobotOptions = {}) {
    this.#tokens = new Map(Object.entries(options.tokens ?? { [fakeDingTalkDefaultToken]: {} }));
    this.#rateLimit = { ...(options.rateLimit ?? { count: 20, windowMs: 60_000 }) };
  }

  readonly #http = new LocalHttpServer('FakeDingTalkRobot', (req, res) => this.#handle(req, res));

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

  /** The webhook URL for `token` (unsigned; unknown tokens get 300005). */
  url(token: string = fakeDingTalkDefaultToken): string {
    return `${this.baseUrl}${sendPath}?access_token=${encodeURIComponent(token)}`;
  }

  addToken(token: string, security: FakeDingTalkSecurity = {}): void {
    this.#tokens.set(token, security);
  }

  /** Like deleting the robot: its token answers 300005 from now on. */
  removeToken(token: string): void {
    this.#tokens.delete(token);
  }

  setRateLimit(rateLimit: { readonly count: number; readonly windowMs: number }): void {
    this.#rateLimit = { ...rateLimit };
  }

  /** The next `times` requests, whatever their token, get `answer` instead of DingTalk's. */
  script(answer: FakeDingTalkScript, times = 1): void {
    for (let i = 0; i < times; i++) this.#scripts.push(answer);
  }

  messagesFor(token: string = fakeDingTalkDefaultToken): FakeDingTalkMessage[] {
    return this.messages.filter((m) => m.token === token);
  }

  /** Forgets recorded traffic, scripts and rate-limit history (tokens stay). */
  reset(): void {
    this.messages.length = 0;
    this.answers.length = 0;
    this.#scripts.length = 0;
    this.#admitted.clear();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const exchange: Exchange = {
      req,
      res,
      raw,
      query: target.searchParams,
      token: target.searchParams.get('access_token') ?? undefined,
      msgtype: peekMsgtype(raw),
      path: target.pathname,
    };
    const scripted = this.#scripts.shift();
    if (scripted !== undefined) return this.#play(scripted, exchange);
    this.#answerNormally(exchange);
  }

  #play(script: FakeDingTalkScript, exchange: Exchange): void {
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

  /** DingTalk's order: token, content type, signature, rate, message, keywords. */
  #answerNormally(exchange: Exchange): void {
    const { req, res, raw, token, path, query } = exchange;
    if (req.method !== 'POST' || path !== sendPath) {
      this.#record(exchange, 404);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (token === undefined || token === '') return this.#answer(exchange, 40035, '缺少参数 access_token');
    const security = this.#tokens.get(token);
    if (security === undefined) return this.#answer(exchange, 300005, 'token is not exist');
    if (!(req.headers['content-type'] ?? '').toLowerCase().includes('application/json'))
      return this.#answer(exchange, 43004, '无效的HTTP HEADER Content-Type');
    let signed = false;
    if (security.secret !== undefined) {
      const problem = checkSignature(query, security.secret);
      if (problem !== undefined) return this.#answer(exchange, 310000, problem);
      signed = true;
    }
    if (!this.#admit(token))
      return this.#answer(exchange, 130101, 'send too fast, exceed 20 times per minute');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return this.#answer(exchange, 40035, '缺少参数 json');
    }
    const problem = findDingTalkBodyProblem(body);
    if (problem !== undefined) return this.#answer(exchange, problem.errcode, problem.errmsg);
    const record = body as Record<string, unknown>;
    const keywords = security.keywords ?? [];
    if (keywords.length > 0) {
      const text = collectText(record).join('\n');
      if (!keywords.some((k) => text.includes(k)))
        return this.#answer(exchange, 310000, 'keywords not in content');
    }
    this.messages.push({ token, msgtype: String(record['msgtype']), body: record, signed, at: Date.now() });
    this.#answer(exchange, 0, 'ok');
  }

  /** Sliding window over the requests let through, per token. */
  #admit(token: string): boolean {
    const now = Date.now();
    const recent = (this.#admitted.get(token) ?? []).filter((t) => now - t < this.#rateLimit.windowMs);
    const admitted = recent.length < this.#rateLimit.count;
    if (admitted) recent.push(now);
    this.#admitted.set(token, recent);
    return admitted;
  }

  #answer(exchange: Exchange, errcode: number, errmsg: string): void {
    // DingTalk's legacy errors carry a doc link; callers must match on errcode and a prefix.
    const text =
      errcode === 0 || errcode === 130101
        ? errmsg
        : `${errmsg}, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]`;
    this.#record(exchange, 200, errcode, text);
    exchange.res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
    exchange.res.end(JSON.stringify({ errcode, errmsg: text }));
  }

  #record(exchange: Exchange, status: number, errcode?: number, errmsg?: string): void {
    this.answers.push({
      token: exchange.token,
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
  readonly query: URLSearchParams;
  readonly token: string | undefined;
  readonly msgtype: string | undefined;
  readonly path: string;
}

/** The 310000 reason, or undefined when the signature is good (robots.md §2.2, §2.3). */
function checkSignature(query: URLSearchParams, secret: string): string | undefined {
  const timestamp = query.get('timestamp') ?? '';
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > signWindowMs)
    return 'invalid timestamp';
  // URLSearchParams decodes like a form: an unencoded `+` arrived as a space.
  const sign = (query.get('sign') ?? '').replace(/ /g, '+');
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const a = Buffer.from(sign);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 'sign not match';
}

interface DingTalkProblem {
  readonly errcode: number;
  readonly errmsg: string;
}

/** The checks DingTalk makes on a message body, with its codes (robots.md §2.1, §2.5). */
export function findDingTalkBodyProblem(body: unknown): DingTalkProblem | undefined {
  if (!isRecord(body)) return { errcode: 40035, errmsg: '缺少参数 json' };
  const msgtype = body['msgtype'];
  if (typeof msgtype !== 'string' || !knownMsgtypes.includes(msgtype))
    return { errcode: 400105, errmsg: '不支持的消息类型' };
  const content = body[msgtype];
  if (!isRecord(content)) return missing(msgtype, msgtype);
  const required: Record<string, readonly string[]> = {
    text: ['content'],
    markdown: ['title', 'text'],
    link: ['title', 'text', 'messageUrl'],
    actionCard: ['title', 'text'],
    feedCard: [],
  };
  for (const field of required[msgtype] ?? []) if (!isFilled(content[field])) return missing(msgtype, field);
  if (msgtype === 'actionCard') {
    const btns = content['btns'];
    if (Array.isArray(btns) && btns.length > 0) {
      for (const [i, btn] of btns.entries()) {
        if (!isRecord(btn) || !isFilled(btn['title']) || !isFilled(btn['actionURL']))
          return missing(msgtype, `btns[${i}]`);
      }
    } else if (!isFilled(content['singleTitle']) || !isFilled(content['singleURL'])) {
      return missing(msgtype, 'singleURL');
    }
  }
  if (msgtype === 'feedCard') {
    const links = content['links'];
    if (!Array.isArray(links) || links.length === 0) return missing(msgtype, 'links');
    for (const [i, link] of links.entries()) {
      if (!isRecord(link) || !isFilled(link['title']) || !isFilled(link['messageURL']))
        return missing(msgtype, `links[${i}]`);
    }
  }
  const at = body['at'];
  if (at !== undefined) {
    if (!isRecord(at)) return missing('at', 'at');
    for (const list of ['atMobiles', 'atUserIds']) {
      const value = at[list];
      if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
        return missing('at', list);
    }
  }
  return undefined;
}

function missing(msgtype: string, field: string): DingTalkProblem {
  return {
    errcode: 400402,
    errmsg: `错误描述:参数 ${msgtype} --》 ${field} 缺失，或者参数格式不正确; 解决方案:请填充上对应参数;参考链接:请参考本接口对应文档查看参数获取方式，或者在https://open.dingtalk.com/document/  搜索对应文档;`,
  };
}

/** Text-like values only: DingTalk checks keywords against what people read, not URLs. */
function collectText(body: Record<string, unknown>): string[] {
  const content = body[String(body['msgtype'])];
  if (!isRecord(content)) return [];
  const out: string[] = [];
  for (const key of ['content', 'title', 'text', 'singleTitle']) {
    const value = content[key];
    if (typeof value === 'string') out.push(value);
  }
  for (const list of ['btns', 'links']) {
    const items = content[list];
    if (Array.isArray(items))
      for (const item of items)
        if (isRecord(item) && typeof item['title'] === 'string') out.push(item['title']);
  }
  return out;
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

function isFilled(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
