import type { DeliveryResult, SinkContext, SinkTarget } from '../contracts/sink.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { type ClassifyRobotAnswer, defaultRobotTimeoutMs, postToRobot } from '../http/post-to-robot.js';
import { maskSecrets } from './mask-secrets.js';
import type { RobotEndpoint } from './robot-endpoint.js';

export interface SendToRobotOptions<S extends RobotEndpoint> {
  /** The robot's name in details (`WeCom robot`). */
  readonly robot: string;
  /** Reads the target's section; a `HookmuxError` here is a permanent `config` failure. */
  readonly readSettings: (settings: Readonly<Record<string, unknown>>) => S;
  /** The URL (signed, if the robot wants it) and the JSON body of one send. */
  readonly request: (settings: S) => { readonly url: string; readonly body: unknown };
  readonly classify: ClassifyRobotAnswer;
}

/**
 * One robot send as every robot sink does it: reads the section, POSTs within the dispatcher's
 * `timeoutMs` (else the section's own `timeout:`, else 10 s) and `signal`, classifies the
 * answer, and masks every credential in the result. It does not log a failure as a warning:
 * the dispatcher logs each failed attempt once, with what it does next; the sink adds a debug
 * line with its own detail.
 */
export async function sendToRobot<S extends RobotEndpoint>(
  target: SinkTarget,
  context: SinkContext,
  options: SendToRobotOptions<S>,
): Promise<DeliveryResult> {
  let settings: S;
  try {
    settings = options.readSettings(target.settings);
  } catch (error) {
    const detail = HookmuxError.is(error) ? error.describe() : 'the sink settings cannot be read';
    return logged({ ok: false, kind: 'permanent', code: 'config', detail }, target, context, options.robot);
  }
  const { url, body } = options.request(settings);
  const result = await postToRobot(url, body, {
    robot: options.robot,
    timeoutMs: context.timeoutMs ?? settings.timeoutMs ?? defaultRobotTimeoutMs,
    context,
    classify: options.classify,
  });
  if (result.ok) return result;
  return logged(
    { ...result, detail: maskSecrets(result.detail, settings.secrets) },
    target,
    context,
    options.robot,
  );
}

function logged(
  result: DeliveryResult,
  target: SinkTarget,
  context: SinkContext,
  robot: string,
): DeliveryResult {
  if (!result.ok) {
    context.logger.debug(
      {
        sink: target.name,
        kind: result.kind,
        code: result.code,
        detail: result.detail,
        ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
      },
      `${robot} did not take the message`,
    );
  }
  return result;
}
