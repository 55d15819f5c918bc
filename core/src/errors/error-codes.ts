/**
 * Every coded error hookmux raises. ERRORS.md lists each code with "how to solve";
 * `test/errors-doc.spec.ts` fails when the two drift apart.
 */
export const errorCodes = {
  // HTTP intake
  HM_ERR_HTTP_BODY_TOO_LARGE: { status: 413, message: 'request body is larger than server.bodyLimit' },
  HM_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'request body must be JSON (Content-Type: application/json)',
  },
  HM_ERR_HTTP_BAD_JSON: { status: 400, message: 'request body is not valid JSON' },
  HM_ERR_HTTP_NOT_FOUND: { status: 404, message: 'no such endpoint' },
  HM_ERR_HTTP_FORBIDDEN_IP: { status: 403, message: 'client address is not in the allow-list' },
  HM_ERR_HTTP_UNAUTHORIZED: { status: 401, message: 'missing or wrong bearer token' },
  HM_ERR_ADMIN_BAD_REQUEST: { status: 400, message: 'the admin API request is not valid' },
  HM_ERR_HTTP_UNAVAILABLE: { status: 503, message: 'storage is unavailable; the event was not accepted' },
  HM_ERR_INTERNAL: { status: 500, message: 'Internal Server Error' },
  // Sources
  HM_ERR_SRC_SIGNATURE: { status: 401, message: 'token or signature does not match' },
  HM_ERR_SRC_STALE_TIMESTAMP: { status: 401, message: 'timestamp is outside the accepted window' },
  HM_ERR_SRC_REPLAY: { status: 401, message: 'this (timestamp, token) pair was already used' },
  HM_ERR_SRC_NO_TOKEN: { status: 401, message: 'the request carries no token' },
  HM_ERR_SRC_UNKNOWN_HOOK: { status: 400, message: 'unknown hook kind' },
  HM_ERR_SRC_MALFORMED: { status: 400, message: 'payload is missing required fields' },
  HM_ERR_SRC_WECOM_FORMAT: { status: 400, message: 'the Gitee hook is in WeCom mode' },
  HM_ERR_SRC_UNKNOWN_ROBOT: { status: 404, message: 'unknown robot token' },
  HM_ERR_SRC_KEYWORD: { status: 400, message: 'message contains none of the configured keywords' },
  HM_ERR_SRC_UNSUPPORTED_MESSAGE: { status: 400, message: 'unsupported message type' },
  // Config
  HM_ERR_CFG_INVALID: { status: 500, message: 'configuration is invalid' },
  HM_ERR_CFG_NOT_FOUND: { status: 500, message: 'configuration file not found' },
  HM_ERR_CFG_YAML: { status: 500, message: 'configuration file is not valid YAML' },
  HM_ERR_CFG_ENV: { status: 500, message: 'environment variable is not set' },
  HM_ERR_CFG_NEVER_MATCHES: { status: 500, message: 'a route filter names something no loaded source emits' },
  HM_ERR_CFG_BAD_GLOB: { status: 500, message: 'a route filter is not a valid glob' },
  // Templates
  HM_ERR_TPL_SYNTAX: { status: 500, message: 'template does not compile' },
  HM_ERR_TPL_NOT_FOUND: { status: 500, message: 'no template found for this event and format' },
  HM_ERR_TPL_RENDER: { status: 500, message: 'template failed while rendering' },
  HM_ERR_TPL_TIMEOUT: {
    status: 500,
    message: 'template took too long to render; the built-in fallback was sent',
  },
  HM_ERR_TPL_FRONT_MATTER: { status: 500, message: 'template front matter is not valid YAML' },
  // Plugins
  HM_ERR_PLUGIN_DUPLICATE_ID: { status: 500, message: 'two plugins declare the same kind and id' },
  HM_ERR_PLUGIN_NOT_INSTALLED: { status: 500, message: 'plugin named in config is not installed' },
  HM_ERR_PLUGIN_BAD_MANIFEST: { status: 500, message: 'plugin package.json has no valid "hookmux" field' },
  HM_ERR_PLUGIN_CORE_VERSION: { status: 500, message: 'plugin needs another @hookmux/core version' },
  HM_ERR_PLUGIN_NO_SINK_TYPE: { status: 500, message: 'no plugin provides this sink type' },
  HM_ERR_PLUGIN_NO_SOURCE: { status: 500, message: 'no plugin provides this source' },
  HM_ERR_PLUGIN_NO_STORAGE_TYPE: { status: 500, message: 'no queue plugin provides this storage type' },
  HM_ERR_PLUGIN_INJECT: {
    status: 500,
    message: 'a plugin service cannot be built (what it injects is not bound)',
  },
  // Sinks and delivery
  HM_ERR_SINK_NOT_FOUND: { status: 404, message: 'no sink with this name' },
  HM_ERR_DELIVERY_NOT_FOUND: { status: 404, message: 'no delivery with this id' },
  HM_ERR_DELIVERY_IN_FLIGHT: { status: 409, message: 'this delivery is being sent right now' },
  HM_ERR_DELIVERY_STORE_OPEN: { status: 500, message: 'cannot open the outbox database' },
  HM_ERR_CLI_USAGE: { status: 400, message: 'wrong command-line usage' },
} as const satisfies Record<string, { status: number; message: string }>;

export type HookmuxErrorCode = keyof typeof errorCodes;

/** Status and default message of one code. */
export interface ErrorCodeInfo {
  readonly status: number;
  readonly message: string;
}

declare const pluginErrorCode: unique symbol;
/** A code a plugin registered with `defineErrorCodes` (`HM_ERR_SLACK_CHANNEL`). */
export type PluginErrorCode = string & { readonly [pluginErrorCode]: true };

/** Prefixes core's own codes use; no plugin may take them. */
const corePrefixes = new Set(
  Object.keys(errorCodes).map((code) => code.slice('HM_ERR_'.length).split('_')[0] ?? ''),
);
const registered = new Map<string, ErrorCodeInfo & { readonly prefix: string }>();

/**
 * Registers a plugin's error codes, each `HM_ERR_<PREFIX>_<NAME>` with its own prefix (the
 * plugin's id in capitals: `SLACK`), and returns them typed for `new HookmuxError(code, ...)`.
 * Document every one in the package's own ERRORS.md (the same table as core's); the errors-doc
 * test checks each package's table against what it registers.
 *
 *     export const slackErrors = defineErrorCodes('SLACK', {
 *       HM_ERR_SLACK_CHANNEL: { status: 500, message: 'the Slack channel does not exist' },
 *     });
 *     throw new HookmuxError(slackErrors.HM_ERR_SLACK_CHANNEL, `no channel ${name}`, { hint });
 */
export function defineErrorCodes<const T extends Record<string, ErrorCodeInfo>>(
  prefix: string,
  codes: T,
): { readonly [K in keyof T]: PluginErrorCode } {
  if (!/^[A-Z][A-Z0-9]*$/.test(prefix))
    throw new Error(`error code prefix "${prefix}" must be A-Z and digits`);
  if (corePrefixes.has(prefix)) throw new Error(`error code prefix "${prefix}" belongs to @hookmux/core`);
  const out: Record<string, string> = {};
  for (const [code, info] of Object.entries(codes)) {
    if (!code.startsWith(`HM_ERR_${prefix}_`) || !/^HM_ERR_[A-Z0-9_]+$/.test(code)) {
      throw new Error(`error code ${code} must look like HM_ERR_${prefix}_NAME`);
    }
    const other = registered.get(code);
    if (other && (other.status !== info.status || other.message !== info.message)) {
      throw new Error(`error code ${code} is already registered with another meaning`);
    }
    registered.set(code, { status: info.status, message: info.message, prefix });
    out[code] = code;
  }
  return out as { readonly [K in keyof T]: PluginErrorCode };
}

/** Core's codes and every registered plugin code. */
export function describeErrorCode(code: string): (ErrorCodeInfo & { readonly prefix?: string }) | undefined {
  return Object.hasOwn(errorCodes, code) ? errorCodes[code as HookmuxErrorCode] : registered.get(code);
}

/** Every plugin code registered so far, with its prefix (the errors-doc test reads this). */
export function registeredErrorCodes(): ReadonlyMap<string, ErrorCodeInfo & { readonly prefix: string }> {
  return registered;
}
