import type { IncomingMessage, ServerResponse } from 'node:http';

import { LocalHttpServer } from './local-http-server.js';

export interface FakeSlackMessage {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * A Slack incoming webhook on 127.0.0.1, answering as Slack does: `200 ok` for a JSON body with a
 * `text`; `400 invalid_payload` for a body that is not JSON, `400 no_text` without text,
 * `404 no_service` for an unknown webhook path, `403 invalid_token` for a revoked one, and, when
 * scripted, `429` with `Retry-After`.
 */
export class FakeSlackWebhook {
  readonly messages: FakeSlackMessage[] = [];
  readonly #paths = new Set<string>();
  readonly #revoked = new Set<string>();
  readonly #throttle: number[] = [];
  readonly #http = new LocalHttpServer('FakeSlackWebhook', (req, res) => this.#handle(req, res));

  constructor(hooks: readonly string[] = ['T000/B000/XXXX']) {
    for (const hook of hooks) this.#paths.add(`/services/${hook}`);
  }

  async start(): Promise<this> {
    await this.#http.start();
    return this;
  }

  stop(): Promise<void> {
    return this.#http.stop();
  }

  url(hook = 'T000/B000/XXXX'): string {
    return `${this.#http.baseUrl}/services/${hook}`;
  }

  revoke(hook: string): void {
    this.#revoked.add(`/services/${hook}`);
  }

  /** The next request gets `429 rate_limited` with `Retry-After: seconds`. */
  throttleOnce(seconds: number): void {
    this.#throttle.push(seconds);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    const answer = (status: number, text: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/html', ...headers }).end(text);
    };
    if (req.method !== 'POST') return answer(405, 'invalid_method');
    if (!this.#paths.has(path)) return answer(404, 'no_service');
    if (this.#revoked.has(path)) return answer(403, 'invalid_token');
    const seconds = this.#throttle.shift();
    if (seconds !== undefined) return answer(429, 'rate_limited', { 'retry-after': String(seconds) });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(400, 'invalid_payload');
    }
    if (typeof body !== 'object' || body === null || typeof (body as { text?: unknown }).text !== 'string')
      return answer(400, 'no_text');
    this.messages.push({ path, body: body as Record<string, unknown> });
    return answer(200, 'ok');
  }
}
