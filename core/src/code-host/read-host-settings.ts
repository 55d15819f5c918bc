import type { JsonSchema } from '../config/json-schema.js';
import { HookmuxError } from '../errors/hookmux-error.js';

import { readString } from './json-reader.js';

/** `sources.<id>.secret: none` accepts hooks without a signature or token. */
export const noSecret = 'none';

export interface HostSettings {
  readonly path: string;
  /** `undefined` when the config says `none`. */
  readonly secret: string | undefined;
}

/** `sources.<id>`: a path, a secret, and the allow-list core enforces. */
export function buildHostConfigSchema(defaultPath: string, secretDescription: string): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['secret'],
    properties: {
      path: {
        type: 'string',
        pattern: '^/',
        default: defaultPath,
        description: 'Where the host posts (the path part of the webhook URL).',
      },
      secret: { type: 'string', minLength: 1, description: secretDescription },
      allow: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: 'Client addresses or CIDR ranges allowed to post (enforced by core).',
      },
    },
  };
}

export function readHostSettings(
  settings: Readonly<Record<string, unknown>>,
  id: string,
  defaultPath: string,
  secretName: string,
): HostSettings {
  const secret = readString(settings, 'secret');
  if (secret === undefined || secret === '') {
    throw new HookmuxError('HM_ERR_CFG_INVALID', `sources.${id}.secret is required`, {
      hint: `set it to the ${secretName} (e.g. \${${id.toUpperCase()}_WEBHOOK_SECRET}), or to none to accept unauthenticated hooks`,
      at: `sources.${id}.secret`,
    });
  }
  return {
    path: readString(settings, 'path') ?? defaultPath,
    secret: secret === noSecret ? undefined : secret,
  };
}

export function checkHostSecret(settings: HostSettings, id: string, secretName: string): string[] {
  if (settings.secret === undefined) {
    return [
      `sources.${id}.secret is "none": hooks are accepted without a signature, so anyone who can reach this endpoint can post events; set a ${secretName} on the host and here`,
    ];
  }
  return settings.secret.length < 12
    ? [`sources.${id}.secret is shorter than 12 characters; prefer a long random ${secretName}`]
    : [];
}
