import { fileURLToPath } from 'node:url';

import type { HookEvent } from '../contracts/hook-event.js';
import type { Mentions, Message, TemplateFormat } from '../contracts/message.js';
import type { Person, Sink, SinkTarget } from '../contracts/sink.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { defaultDialect, singleLineKeys, toHttpUrl, toOneLineValue } from './escape-for-dialect.js';
import { type RenderState, toMentions } from './template-helpers.js';
import { renderFields, type TemplateSet } from './template-set.js';

/** The templates that ship with hookmux (`templates/` in core's package). */
export const builtinTemplatesDir = fileURLToPath(new URL('../../templates', import.meta.url));

export interface RenderTarget {
  readonly sink: Sink;
  readonly target: SinkTarget;
}

export interface MessageRendererOptions {
  readonly templates: TemplateSet;
  /** User folder (`templates.dir`), searched after a route's own folder and before the built-ins. */
  readonly userDir?: string | undefined;
  /** Folders shipped by plugins, searched after the user's and before the built-ins. */
  readonly pluginDirs?: readonly string[];
  readonly builtinDir?: string;
  readonly timeZone: string;
  readonly people: readonly Person[];
}

export interface NamedRenderOptions {
  readonly routeDir?: string | undefined;
  /** Search the built-in folder only (a digest's fallback after another folder's template failed). */
  readonly builtinOnly?: boolean;
  /** The `people:` key that plain logins in the context belong to (`gitee`). */
  readonly sourceIdentity: string;
  /** A front-matter key rendered once per item, with the item as its context (a digest's `article`). */
  readonly perItem?: { readonly key: string; readonly items: readonly unknown[] };
}

export interface NamedRender {
  readonly file: string;
  readonly text: string;
  /** Front matter rendered with the context, without the `perItem` key. */
  readonly fields: Record<string, unknown>;
  /** The `perItem` key rendered for each item, in order. */
  readonly items: readonly Record<string, unknown>[];
  readonly mentions: Mentions;
}

/** Turns an event into the message one sink gets, from the first template found on the search path. */
export class MessageRenderer {
  constructor(private readonly options: MessageRendererOptions) {}

  /** The folders searched for a route, most specific first. */
  searchPath(routeDir?: string): string[] {
    const dirs = [
      routeDir,
      this.options.userDir,
      ...(this.options.pluginDirs ?? []),
      this.options.builtinDir ?? builtinTemplatesDir,
    ];
    return dirs.filter((d): d is string => typeof d === 'string');
  }

  /**
   * Renders the first of `names` (`gitee/_digest`, `_digest`; the format is added) found on the
   * search path with a context the caller built (digests); `undefined` when no folder has one.
   */
  renderNamed(
    names: readonly string[],
    context: Record<string, unknown>,
    to: RenderTarget,
    options: NamedRenderOptions,
  ): NamedRender | undefined {
    const format: TemplateFormat = to.sink.templateFormat(to.target);
    const dirs = options.builtinOnly
      ? [this.options.builtinDir ?? builtinTemplatesDir]
      : this.searchPath(options.routeDir);
    const template = this.options.templates.findNamed(
      dirs,
      names.map((name) => `${name}.${format}.hbs`),
    );
    if (!template) return undefined;
    const state: RenderState = {
      format,
      sourceIdentity: options.sourceIdentity,
      sinkIdentity: to.sink.identity,
      people: this.options.people,
      formatMention: to.sink.formatMention
        ? (id: string) => to.sink.formatMention?.(id, format, to.target) ?? `@${id}`
        : undefined,
      timeZone: this.options.timeZone,
      mentions: { userIds: new Set(), mobiles: new Set(), all: false },
    };
    const runtime = {
      data: { hookmux: state },
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    };
    const sink = { name: to.target.name, type: to.target.type };
    const { [options.perItem?.key ?? '']: perItem, ...rest } = template.fields;
    try {
      const text = tidy(template.body({ ...context, sink }, runtime));
      const fields = renderFields(options.perItem ? rest : template.fields, { ...context, sink }, runtime);
      const items =
        options.perItem && typeof perItem === 'object' && perItem !== null
          ? options.perItem.items.map((item) =>
              renderFields(perItem as Record<string, unknown>, { ...(item as object), sink }, runtime),
            )
          : [];
      return { file: template.file, text, fields, items, mentions: toMentions(state) };
    } catch (error) {
      throw new HookmuxError('HM_ERR_TPL_RENDER', `template failed: ${(error as Error).message}`, {
        at: template.file,
        hint: 'check the helpers and partials the template uses',
      });
    }
  }

  render(event: HookEvent, to: RenderTarget, routeDir?: string): Message {
    const format: TemplateFormat = to.sink.templateFormat(to.target);
    const template = this.options.templates.find(this.searchPath(routeDir), event, format);
    if (!template) {
      throw new HookmuxError('HM_ERR_TPL_NOT_FOUND', `no ${format} template for ${event.name}`, {
        hint: `add ${event.source}/${event.type}.${format}.hbs or _default.${format}.hbs to a template folder`,
      });
    }
    const state: RenderState = {
      format,
      dialect: to.sink.dialect?.(to.target) ?? defaultDialect(format),
      sourceIdentity: event.source,
      sinkIdentity: to.sink.identity,
      people: this.options.people,
      formatMention: to.sink.formatMention
        ? (id: string) => to.sink.formatMention?.(id, format, to.target) ?? `@${id}`
        : undefined,
      timeZone: this.options.timeZone,
      mentions: { userIds: new Set(), mobiles: new Set(), all: false },
    };
    const { payload, data, ...meta } = event;
    const context = {
      ...(collapseSingleLineFields(data) as Record<string, unknown>),
      event: collapseSingleLineFields(meta),
      // The raw payload is large and rarely printed: its one-line values are collapsed where a
      // template prints them (`__escape … oneLine=true`, see parseEscaped).
      payload,
      sink: { name: to.target.name, type: to.target.type },
    };
    const runtime = {
      data: { hookmux: state },
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
    };
    let text: string;
    let fields: Record<string, unknown>;
    try {
      text = tidy(template.body(context, runtime));
      fields = renderFields(template.fields, context, runtime);
    } catch (error) {
      throw new HookmuxError(
        'HM_ERR_TPL_RENDER',
        `template failed for ${event.name}: ${(error as Error).message}`,
        {
          at: template.file,
          hint: 'check the helpers and partials the template uses',
        },
      );
    }
    const url = toHttpUrl(fields['url']) ?? toHttpUrl(event.url);
    return {
      eventId: event.id,
      eventName: event.name,
      sink: to.target.name,
      format,
      text,
      fields,
      mentions: toMentions(state),
      ...(url ? { url } : {}),
      summary: event.summary,
      count: 1,
    };
  }
}

/** Single-line values of the event data made one line. Copy-on-write: objects without a value to change are returned as they are (payloads are large). */
function collapseSingleLineFields(value: unknown, key = '', depth = 0): unknown {
  if (typeof value === 'string') {
    if (!singleLineKeys.has(key)) return value;
    return toOneLineValue(value);
  }
  if (depth > 64 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let changed: unknown[] | undefined;
    value.forEach((item: unknown, i) => {
      const next = collapseSingleLineFields(item, key, depth + 1);
      if (next !== item) (changed ??= [...(value as unknown[])])[i] = next;
    });
    return changed ?? value;
  }
  let changed: Record<string, unknown> | undefined;
  for (const [k, inner] of Object.entries(value)) {
    const next = collapseSingleLineFields(inner, k, depth + 1);
    if (next !== inner) (changed ??= { ...(value as Record<string, unknown>) })[k] = next;
  }
  return changed ?? value;
}

/** Templates are written for readability; robots show every blank line, so collapse runs of them. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
