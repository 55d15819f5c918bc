import type { DeliveryResult, SinkContext } from '../contracts/sink.js';

/** What a robot answered: the status, the headers (`Retry-After`) and the body text. */
export interface RobotAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Reads a robot's answer: robots answer HTTP 200 with an error code, so only the sink can. */
export type ClassifyRobotAnswer = (answer: RobotAnswer) => DeliveryResult;

/** A hand-made answer, for classifiers' tests. */
export function robotAnswer(status: number, text: string, headers: Record<string, string> = {}): RobotAnswer {
  return { status, text, headers: new Headers(headers) };
}

/** When neither the dispatcher nor the sink's section says how long a send may take. */
export const defaultRobotTimeoutMs = 10_000;

export interface PostToRobotOptions {
  /** The robot's name in failure details (`WeCom robot`, `Feishu bot`). */
  readonly robot: string;
  /** How long the request may take; the dispatcher's `context.signal` can end it sooner. */
  readonly timeoutMs: number;
  readonly context: SinkContext;
  readonly classify: ClassifyRobotAnswer;
}

/**
 * POSTs one JSON body to a robot, with a timeout and the dispatcher's abort signal, and
 * classifies what came back. A request that got no answer (timeout, refused or reset connection)
 * is retryable; one cancelled by the caller (shutdown) too, under its own code. Redirects are
 * refused: a robot URL that redirects is misconfigured, and following it could carry the key
 * elsewhere.
 */
export async function postToRobot(
  url: string,
  body: unknown,
  options: PostToRobotOptions,
): Promise<DeliveryResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const caller = options.context.signal;
  const signal = caller === undefined ? timeout : AbortSignal.any([timeout, caller]);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal,
      redirect: 'error',
    });
    const text = await response.text();
    return options.classify({ status: response.status, headers: response.headers, text });
  } catch (error) {
    return classifyTransportFailure(error, options.robot, cancelledByCaller(caller, timeout));
  }
}

/** The caller's signal ended the send, and not because of a timeout of its own (the dispatcher's). */
function cancelledByCaller(caller: AbortSignal | undefined, timeout: AbortSignal): boolean {
  if (caller?.aborted !== true || timeout.aborted) return false;
  return readField(caller.reason, 'name') !== 'TimeoutError';
}

/**
 * Why a request got no answer. Errors are read by shape, not `instanceof`: fetch's errors may
 * come from another realm.
 */
export function classifyTransportFailure(
  error: unknown,
  robot: string,
  cancelledByCaller: boolean,
): DeliveryResult {
  if (cancelledByCaller) {
    return {
      ok: false,
      kind: 'retryable',
      code: 'aborted',
      detail: 'the send was cancelled (shutting down?)',
    };
  }
  const name = readField(error, 'name');
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { ok: false, kind: 'retryable', code: 'timeout', detail: `the ${robot} did not answer in time` };
  }
  const cause = isObject(error) && isObject(error['cause']) ? error['cause'] : error;
  const reason = readField(cause, 'message') ?? String(cause);
  return {
    ok: false,
    kind: 'retryable',
    code: readField(cause, 'code') ?? 'network',
    detail: `no answer from the ${robot}: ${reason}`,
  };
}

function readField(value: unknown, field: string): string | undefined {
  const found = isObject(value) ? value[field] : undefined;
  return typeof found === 'string' && found !== '' ? found : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
