import type { JsonSchema } from '../config/json-schema.js';
import type { HookEvent } from '../contracts/hook-event.js';
import type { InboundRequest, Source, SourceContext, SourceEndpoint } from '../contracts/source.js';

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

  protected hostSettings(settings: Readonly<Record<string, unknown>>): HostSettings {
    return readHostSettings(settings, this.id, this.defaultPath, this.secretName);
  }
}
