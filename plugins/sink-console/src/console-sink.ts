import { createHash } from 'node:crypto';

import {
  type DeliveryResult,
  injectable,
  type Message,
  type Sink,
  type SinkContext,
  type SinkTarget,
  type TemplateFormat,
} from '@hookmux/core';

/**
 * Prints each message to standard output (or standard error with `stream: stderr`): the offline
 * default for `npm start`, and a way to see what a route would send before pointing it at a robot.
 */
@injectable()
export class ConsoleSink implements Sink {
  readonly type = 'console';
  readonly configSchema = {
    type: 'object',
    properties: {
      type: { const: 'console' },
      format: { enum: ['md', 'txt'], default: 'md' },
      stream: { enum: ['stdout', 'stderr'], default: 'stdout' },
      rateLimit: { type: 'string' },
      merge: { type: 'boolean' },
      timeout: { type: ['string', 'number'] },
    },
    required: ['type'],
    additionalProperties: false,
  };
  readonly secretKeys: readonly string[] = [];
  /** Generous, so merging rarely kicks in on a terminal. */
  readonly rateLimits = [{ count: 600, windowMs: 60_000 }];

  templateFormat(target: SinkTarget): TemplateFormat {
    return target.settings['format'] === 'txt' ? 'txt' : 'md';
  }

  robotKey(target: SinkTarget): string {
    return `console:${createHash('sha256').update(target.name).digest('hex').slice(0, 12)}`;
  }

  maxTextBytes(): number {
    return 16_384;
  }

  toRequestBody(message: Message): unknown {
    return {
      text: message.text,
      ...(Object.keys(message.fields).length > 0 ? { fields: message.fields } : {}),
    };
  }

  send(message: Message, target: SinkTarget, _context: SinkContext): Promise<DeliveryResult> {
    const out = target.settings['stream'] === 'stderr' ? process.stderr : process.stdout;
    const rule = '─'.repeat(8);
    out.write(
      `${rule} ${target.name} · ${message.eventName}${message.count > 1 ? ` · ${message.count} events` : ''} ${rule}\n${message.text}\n\n`,
    );
    return Promise.resolve({ ok: true });
  }
}
