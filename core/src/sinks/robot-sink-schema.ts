import type { JsonSchema } from '../config/json-schema.js';

const rateLimitPattern =
  '^\\s*[1-9][0-9]*\\s*/\\s*([1-9][0-9]*\\s*)?(ms|s|sec|second|seconds|m|min|minute|minutes|h|hour|hours)\\s*$';

/**
 * The keys core reads in every sink section, for a robot sink's schema: `rateLimit` (with the
 * robot's own limit named in `rateLimitHint`), `merge` and `timeout`.
 */
export function coreSinkKeysSchema(rateLimitHint: string): Record<string, JsonSchema> {
  return {
    rateLimit: {
      type: 'string',
      pattern: rateLimitPattern,
      description: `Messages per window, e.g. ${rateLimitHint}.`,
    },
    merge: { type: 'boolean', description: 'Merge a backlog into digest messages (default true).' },
    timeout: {
      description: 'HTTP timeout of one send: ms, or `500ms`, `5s`, `1m` (default: `delivery.timeout`).',
      anyOf: [
        { type: 'number', exclusiveMinimum: 0 },
        { type: 'string', pattern: '^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s|m)?\\s*$' },
      ],
    },
  };
}

/** `oneOf` for a section that names its robot by `webhook` or by `credentialKey`, never both. */
export function webhookOrCredential(credentialKey: string): JsonSchema[] {
  return [
    { required: ['webhook'], not: { required: [credentialKey] } },
    { required: [credentialKey], not: { required: ['webhook'] } },
  ];
}
