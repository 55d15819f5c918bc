/**
 * The render thread: builds its own renderer (templates, people, and the sinks' `formatMention` /
 * `templateFormat`) from the config and the same plugin packages as the main thread, loaded by
 * package name, and renders what the dispatcher asks, one request at a time. A template that loops
 * blocks this thread only; the main thread cuts it off (terminates the thread) at its timeout.
 */
import { parentPort } from 'node:worker_threads';

import { Container } from 'inversify';

import type { HookmuxConfig } from '../config/hookmux-config.js';
import type { HookEvent } from '../contracts/hook-event.js';
import { Sink } from '../contracts/sink.js';
import { Source } from '../contracts/source.js';
import type { Logger } from '../logging/logger.js';
import { loadPlugins, type LoadPluginsOptions, pluginTemplateDirs } from '../plugins/load-plugins.js';
import { buildRuntime } from '../runtime/build-runtime.js';
import type { Runtime } from '../runtime/runtime.js';
import { renderNow } from './send-renderer.js';
import { decodeStoredEvent, type StoredEventBody } from './stored-event.js';

export type ToRenderWorker =
  | { readonly type: 'config'; readonly config: HookmuxConfig; readonly plugins: LoadPluginsOptions }
  | {
      readonly type: 'render';
      readonly id: number;
      readonly sink: string;
      readonly entries: readonly {
        deliveryId: string;
        /** The event, or its stored form (decoded here). */
        event?: HookEvent;
        eventBody?: StoredEventBody;
        route: string;
        routeDir?: string;
      }[];
      readonly digestId?: string;
    };

export type FromRenderWorker =
  | { readonly type: 'ready'; readonly errors: readonly string[] }
  | { readonly type: 'rendered'; readonly id: number; readonly message: unknown; readonly included: number }
  /** The thread cannot render for this sink (it failed to build, or does not know it). */
  | { readonly type: 'unavailable'; readonly id: number; readonly reason: string }
  | { readonly type: 'log'; readonly level: 'error' | 'warn'; readonly obj: object; readonly msg: string };

const port = parentPort;
let runtime: Runtime | undefined;
/** Renders wait for the config in force (the first one, or a reload). */
let configured: Promise<void> = Promise.resolve();

/** Log lines go to the main thread's logger (it masks secrets). */
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (obj: object | string, msg?: string) => post({ type: 'log', level: 'warn', ...line(obj, msg) }),
  error: (obj: object | string, msg?: string) => post({ type: 'log', level: 'error', ...line(obj, msg) }),
  child: () => logger,
};

function line(obj: object | string, msg?: string): { obj: object; msg: string } {
  return typeof obj === 'string' ? { obj: {}, msg: obj } : { obj, msg: msg ?? '' };
}

function post(message: FromRenderWorker): void {
  port?.postMessage(message);
}

async function configure(config: HookmuxConfig, options: LoadPluginsOptions): Promise<void> {
  const { plugins: loaded, errors } = await loadPlugins(options);
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(...loaded.map((p) => p.module));
  const built = buildRuntime(config, {
    sinks: container.getAll<Sink>(Sink, { optional: true }),
    sources: container.getAll<Source>(Source, { optional: true }),
    templateDirs: pluginTemplateDirs(loaded),
  });
  runtime = built.runtime;
  post({ type: 'ready', errors: [...errors, ...built.errors].map((e) => e.message) });
}

port?.on('message', (message: ToRenderWorker) => {
  if (message.type === 'config') {
    configured = configure(message.config, message.plugins).catch((error: unknown) => {
      runtime = undefined;
      post({ type: 'ready', errors: [String(error)] });
    });
    return;
  }
  void configured.then(() => render(message));
});

function render(message: Extract<ToRenderWorker, { type: 'render' }>): void {
  const to = runtime?.sinks.get(message.sink);
  if (runtime === undefined || to === undefined) {
    post({
      type: 'unavailable',
      id: message.id,
      reason: runtime ? `unknown sink ${message.sink}` : 'not configured',
    });
    return;
  }
  try {
    const { message: rendered, included } = renderNow(
      runtime.renderer,
      {
        entries: message.entries.map(({ event, eventBody, ...rest }) => ({
          ...rest,
          event: event ?? decodeStoredEvent(eventBody ?? 'null'),
        })),
        to,
        ...(message.digestId === undefined ? {} : { digestId: message.digestId }),
      },
      logger,
    );
    post({ type: 'rendered', id: message.id, message: rendered, included });
  } catch (error) {
    post({ type: 'unavailable', id: message.id, reason: String(error) });
  }
}
