import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { Message } from '../contracts/message.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import type { Logger } from '../logging/logger.js';
import type { LoadPluginsOptions } from '../plugins/load-plugins.js';
import type { RuntimeHolder } from '../runtime/runtime-holder.js';
import type { FromRenderWorker, ToRenderWorker } from './render-worker.js';
import { storedEventBody } from './stored-event.js';
import {
  fallbackMessage,
  InlineSendRenderer,
  type RenderedSend,
  type SendRenderer,
  type SendRenderRequest,
} from './send-renderer.js';

/** `templates.renderTimeout` when the config has none. */
export const defaultRenderTimeoutMs = 5000;

export interface WorkerSendRendererOptions {
  readonly holder: RuntimeHolder;
  /** How the main thread loaded its plugins: the thread loads the same packages by name. */
  readonly plugins: LoadPluginsOptions;
  readonly logger: Logger;
  /** Threads at most (one slow template occupies one); default 2. */
  readonly poolSize?: number;
  /** A thread beyond the first is ended after this long idle, ms; default 30 s. */
  readonly idleMs?: number;
  /**
   * The first thread is ended after this long idle, ms; default 5 min. A started thread holds
   * ~45 MB (its own heap, plugins and templates), and a team's server is idle most of the day;
   * the next send starts one again (~1 s on the bench machine, not counted in `renderTimeout`).
   */
  readonly firstIdleMs?: number;
}

interface Pending {
  readonly request: SendRenderRequest;
  readonly resolve: (rendered: RenderedSend) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly ready: Promise<boolean>;
  busy: { readonly id: number; readonly pending: Pending; readonly timer?: NodeJS.Timeout } | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  gone: boolean;
}

/**
 * Renders in worker threads so that a template that loops for seconds blocks neither intake nor
 * `/healthz`: only the lane waiting for that render waits, and at `templates.renderTimeout` the
 * thread is ended (HM_ERR_TPL_TIMEOUT logged) and the message goes out as the built-in plain
 * fallback. Threads start lazily (an idle server has none until the first send), end after a
 * while idle (`firstIdleMs`, `idleMs`), and load the same plugin packages by name, so sinks'
 * `formatMention` and `templateFormat` work there too.
 * Where a thread cannot render (it failed to start, or does not know a sink that was injected
 * rather than installed), rendering falls back to this thread.
 */
export class WorkerSendRenderer implements SendRenderer {
  readonly #options: WorkerSendRendererOptions;
  readonly #inline: InlineSendRenderer;
  readonly #logger: Logger;
  readonly #poolSize: number;
  readonly #idleMs: number;
  readonly #firstIdleMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #script: URL | undefined;
  #nextId = 1;
  #broken = false;
  #closed = false;

  constructor(options: WorkerSendRendererOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#inline = new InlineSendRenderer(() => options.holder.current.renderer, options.logger);
    this.#poolSize = Math.max(1, options.poolSize ?? 2);
    this.#idleMs = options.idleMs ?? 30_000;
    this.#firstIdleMs = options.firstIdleMs ?? 300_000;
    this.#script = workerScript();
    if (this.#script === undefined) {
      this.#broken = true;
      this.#logger.warn(
        {},
        'the render thread script is missing (run npm run build); rendering on the main thread',
      );
    }
    options.holder.onSwap(() => {
      for (const slot of this.#slots) slot.worker.postMessage(this.#configMessage());
    });
  }

  render(request: SendRenderRequest): Promise<RenderedSend> {
    if (this.#broken || this.#closed) return this.#inline.render(request);
    return new Promise((resolve) => {
      this.#queue.push({ request, resolve });
      this.#drain();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      slot.gone = true;
      clearTimeout(slot.idleTimer);
      if (slot.busy) {
        clearTimeout(slot.busy.timer);
        slot.busy.pending.resolve(this.#fallback(slot.busy.pending.request));
      }
    }
    for (const pending of this.#queue.splice(0)) pending.resolve(this.#fallback(pending.request));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #timeoutMs(): number {
    return this.#options.holder.current.config.templates.renderTimeoutMs ?? defaultRenderTimeoutMs;
  }

  #configMessage(): ToRenderWorker {
    return { type: 'config', config: this.#options.holder.current.config, plugins: this.#options.plugins };
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.busy === undefined && !s.gone);
      if (slot === undefined) {
        if (this.#slots.length >= this.#poolSize) return;
        slot = this.#start();
        if (slot === undefined) {
          // No thread could start: render what is waiting here.
          for (const pending of this.#queue.splice(0))
            void this.#inline.render(pending.request).then(pending.resolve);
          return;
        }
      }
      const pending = this.#queue.shift();
      if (pending === undefined) return;
      this.#assign(slot, pending);
    }
  }

  #start(): Slot | undefined {
    if (this.#script === undefined) return undefined;
    let worker: Worker;
    try {
      // A template that allocates without end takes its thread down, not the process.
      worker = new Worker(this.#script, {
        resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 },
      });
    } catch (error) {
      this.#broken = true;
      this.#logger.error({ err: error }, 'cannot start a render thread; rendering on the main thread');
      return undefined;
    }
    worker.unref();
    let markReady: (ok: boolean) => void = () => undefined;
    const slot: Slot = {
      worker,
      ready: new Promise<boolean>((resolve) => (markReady = resolve)),
      busy: undefined,
      idleTimer: undefined,
      gone: false,
    };
    worker.on('message', (message: FromRenderWorker) => {
      if (message.type === 'ready') {
        if (message.errors.length > 0)
          this.#logger.warn(
            { errors: message.errors },
            'the render thread could not build the config; rendering on the main thread',
          );
        markReady(message.errors.length === 0);
      } else if (message.type === 'log') {
        this.#logger[message.level](message.obj, message.msg);
      } else this.#answer(slot, message);
    });
    worker.on('error', (error) => {
      this.#logger.error({ err: error }, 'a render thread failed');
      this.#lose(slot, 'HM_ERR_TPL_RENDER');
    });
    worker.on('exit', () => {
      markReady(false);
      this.#lose(slot, 'HM_ERR_TPL_RENDER');
    });
    worker.postMessage(this.#configMessage());
    this.#slots.push(slot);
    return slot;
  }

  #assign(slot: Slot, pending: Pending): void {
    clearTimeout(slot.idleTimer);
    const id = this.#nextId++;
    // No timer until the thread is ready: the timeout counts the render, not the start-up.
    slot.busy = { id, pending };
    void slot.ready.then((ok) => {
      if (slot.gone || slot.busy?.id !== id) return;
      if (!ok) {
        slot.busy = undefined;
        this.#broken = true;
        void this.#inline.render(pending.request).then(pending.resolve);
        this.#retire(slot);
        return;
      }
      const { request } = pending;
      const message: ToRenderWorker = {
        type: 'render',
        id,
        sink: request.to.target.name,
        entries: request.entries.map((e) => {
          // The stored form, when there is one: decoded in the thread, not here.
          const stored = storedEventBody(e);
          return {
            deliveryId: e.deliveryId,
            ...(stored === undefined ? { event: e.event } : { eventBody: stored }),
            route: e.route,
            ...(e.routeDir === undefined ? {} : { routeDir: e.routeDir }),
          };
        }),
        ...(request.digestId === undefined ? {} : { digestId: request.digestId }),
      };
      const timeoutMs = this.#timeoutMs();
      const timer = setTimeout(() => this.#timedOut(slot, id, timeoutMs), timeoutMs);
      slot.busy = { id, pending, timer };
      slot.worker.postMessage(message);
    });
  }

  #answer(slot: Slot, message: Exclude<FromRenderWorker, { type: 'ready' | 'log' }>): void {
    const busy = slot.busy;
    if (busy === undefined || busy.id !== message.id) return;
    clearTimeout(busy.timer);
    slot.busy = undefined;
    if (message.type === 'rendered') {
      busy.pending.resolve({ message: message.message as Message, included: message.included });
    } else {
      // This thread does not know the sink (injected, not installed): render it here.
      void this.#inline.render(busy.pending.request).then(busy.pending.resolve);
    }
    this.#idle(slot);
    this.#drain();
  }

  #timedOut(slot: Slot, id: number, timeoutMs: number): void {
    const busy = slot.busy;
    if (busy === undefined || busy.id !== id) return;
    const { request } = busy.pending;
    const head = request.entries[0]?.event;
    const error = new HookmuxError('HM_ERR_TPL_TIMEOUT', `rendering took longer than ${timeoutMs} ms`, {
      hint: 'look for a loop in the template; templates.renderTimeout sets the limit',
    });
    this.#logger.error(
      {
        eventId: head?.id,
        event: head?.name,
        sink: request.to.target.name,
        events: request.entries.length,
        err: error.describe(),
      },
      'template took too long; cut off, sending the built-in fallback',
    );
    slot.busy = undefined;
    busy.pending.resolve(this.#fallback(request));
    this.#retire(slot);
    this.#drain();
  }

  /** A thread ended or failed: whatever it was rendering goes out as the fallback. */
  #lose(slot: Slot, code: 'HM_ERR_TPL_RENDER'): void {
    if (slot.gone) return;
    const busy = slot.busy;
    this.#retire(slot);
    if (busy !== undefined) {
      clearTimeout(busy.timer);
      this.#logger.error(
        { sink: busy.pending.request.to.target.name, code },
        'render thread lost mid-render; sending the built-in fallback',
      );
      busy.pending.resolve(this.#fallback(busy.pending.request));
    }
    this.#drain();
  }

  #retire(slot: Slot): void {
    slot.gone = true;
    clearTimeout(slot.idleTimer);
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    void slot.worker.terminate();
  }

  /** Threads end after a while idle (memory): the first after `firstIdleMs`, the others sooner. */
  #idle(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(
      () => {
        if (slot.busy === undefined && !slot.gone) this.#retire(slot);
      },
      this.#slots[0] === slot ? this.#firstIdleMs : this.#idleMs,
    );
    slot.idleTimer.unref();
  }

  /** Render threads running now. */
  get threads(): number {
    return this.#slots.length;
  }

  #fallback(request: SendRenderRequest): RenderedSend {
    const head = request.entries[0];
    if (head === undefined) throw new RangeError('nothing to render');
    return { message: fallbackMessage(head.event, request.to), included: 1 };
  }
}

/** The compiled thread script (under ts-jest the sources run, so it is taken from `lib/`). */
function workerScript(): URL | undefined {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../../lib/delivery/render-worker.js', here)
    : new URL('./render-worker.js', here);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
