import type { JsonSchema } from '../config/json-schema.js';
import type { HookEvent } from '../contracts/hook-event.js';
import type { InboundRequest, Source, SourceContext, SourceEndpoint } from '../contracts/source.js';
import { HookmuxError } from '../errors/hookmux-error.js';

import { checkHostSecret, readHostSettings, type HostSettings } from './read-host-settings.js';

/**
 * The settings half every code-host source shares (`sources.<id>`: one POST path and a secret);
 * a subclass names its host and adds `receive`: verify, `readHostBody`, normalise, `toHostHookEvent`.
 */
export abstract class CodeHostSource implements Source {
  abstract readonly id: string;
  abstract readonly configSchema: JsonSchema;
  readonly secretKeys = ['secret'] as const;
  /** Where the host posts unless the config says `path:`. */
  protected abstract readonly defaultPath: string;
  /** The secret's name in the host's own settings page, for the check's advice. */
  protected abstract readonly secretName: string;

  endpoints(settings: Readonly<Record<string, unknown>>): readonly SourceEndpoint[] {
    return [{ method: 'POST', path: this.hostSettings(settings).path }];
  }

  checkSettings(settings: Readonly<Record<string, unknown>>): readonly string[] {
    return checkHostSecret(this.hostSettings(settings), this.id, this.secretName);
  }

  abstract receive(request: InboundRequest, context: SourceContext): Promise<HookEvent> | HookEvent;

  /**
   * Runs a normaliser: its own errors pass; anything else (a shape it did not expect) is logged as a
   * warning and answered as a malformed payload of this event, with the host's `hint`.
   */
  protected normalizeWith<T>(
    read: () => T,
    what: { readonly host: string; readonly event: string; readonly hint: string; readonly logKey?: string },
    context: SourceContext,
  ): T {
    try {
      return read();
    } catch (error) {
      if (HookmuxError.is(error)) throw error;
      context.logger.warn(
        { err: error, [what.logKey ?? 'event']: what.event },
        `${this.id} payload could not be normalised`,
      );
      throw new HookmuxError(
        'HM_ERR_SRC_MALFORMED',
        `the ${what.host} ${what.event} payload could not be read`,
        {
          hint: what.hint,
          cause: error,
        },
      );
    }
  }

  protected hostSettings(settings: Readonly<Record<string, unknown>>): HostSettings {
    return readHostSettings(settings, this.id, this.defaultPath, this.secretName);
  }
}
