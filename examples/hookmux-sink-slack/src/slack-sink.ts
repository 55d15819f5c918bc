import { createHash } from 'node:crypto';

import {
  injectable,
  type DeliveryResult,
  type Message,
  type RateLimit,
  type Sink,
  type SinkContext,
  type SinkTarget,
  type TemplateFormat,
} from '@hookmux/core';

/** Slack cuts a message's `text` at 40,000 characters; stay well below in bytes. */
const maxTextBytes = 36_000;

/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): POST `{"text": ...}` to the
 * webhook URL. Slack answers `200 ok` when it took the message; errors are a status and a short
 * text (`400 invalid_payload`, `403 invalid_token`, `404 no_service`, `410 channel_is_archived`,
 * `429` with `Retry-After` seconds). Messages are rendered from the plain-text templates
 * (`*.txt.hbs`) and escaped, so payload text can never become a Slack mention or link.
 */
@injectable()
export class SlackSink implements Sink {
  readonly type = 'slack';
  readonly configSchema = {
    type: 'object',
    properties: {
      type: { const: 'slack' },
      webhook: {
        type: 'string',
        pattern: '^https?://',
        'x-expected': 'the incoming webhook URL, https://hooks.slack.com/services/...',
      },
      // core's keys, which every sink section accepts
      rateLimit: { type: 'string' },
      merge: { type: 'boolean' },
      timeout: { type: ['string', 'number'] },
    },
    required: ['type', 'webhook'],
    additionalProperties: false,
  };
  /** The webhook URL is the credential: masked in logs, errors and `hookmux check`. */
  readonly secretKeys: readonly string[] = ['webhook'];
  /** Slack allows about one message a second per webhook, with short bursts. */
  readonly rateLimits: readonly RateLimit[] = [{ count: 60, windowMs: 60_000 }];

  templateFormat(): TemplateFormat {
    return 'txt';
  }

  /** One limit per webhook URL, keyed by its hash so the URL never shows. */
  robotKey(target: SinkTarget): string {
    return `slack:${createHash('sha256').update(webhookOf(target)).digest('hex').slice(0, 16)}`;
  }

  maxTextBytes(): number {
    return maxTextBytes;
  }

  toRequestBody(message: Message): { text: string } {
    return { text: escapeSlackText(message.text) };
  }

  async send(message: Message, target: SinkTarget, context: SinkContext): Promise<DeliveryResult> {
    const signals = [context.signal, AbortSignal.timeout(context.timeoutMs ?? 10_000)].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    let response: Response;
    try {
      response = await fetch(webhookOf(target), {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(this.toRequestBody(message)),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      const aborted =
        error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
      // The URL is a secret: say what happened, never where.
      return {
        ok: false,
        kind: 'retryable',
        detail: aborted ? 'Slack did not answer in time' : 'cannot reach Slack',
      };
    }
    const body = (await response.text().catch(() => '')).slice(0, 200);
    return classifySlackAnswer(response.status, body, response.headers.get('retry-after'));
  }
}

/** What Slack's answer means for delivery. */
export function classifySlackAnswer(status: number, body: string, retryAfter: string | null): DeliveryResult {
  const text = body.trim();
  if (status === 200) return { ok: true, ...(text && text !== 'ok' ? { detail: text } : {}) };
  const detail = `Slack answered ${status}${text ? ` ${text}` : ''}`;
  if (status === 429) {
    const seconds = Number(retryAfter);
    return {
      ok: false,
      kind: 'throttled',
      code: 429,
      detail,
      ...(Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: seconds * 1000 } : {}),
    };
  }
  if (status >= 500 || status === 408) return { ok: false, kind: 'retryable', code: status, detail };
  // 400 invalid_payload, 403 invalid_token / action_prohibited, 404 no_service, 410 channel_is_archived:
  // sending the same message again cannot help.
  return { ok: false, kind: 'permanent', code: text || status, detail };
}

/** Slack's three control characters; `<!channel>` or `<@U123>` in a commit message stays text. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function webhookOf(target: SinkTarget): string {
  const url = target.settings['webhook'];
  return typeof url === 'string' ? url : '';
}
