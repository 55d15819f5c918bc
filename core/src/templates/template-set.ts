import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import Handlebars from 'handlebars';
import { parse as parseYaml } from 'yaml';

import type { TemplateFormat } from '../contracts/message.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { templateHelpers } from './template-helpers.js';

type Render = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/** One compiled template file: its body and its front matter (each string value a template). */
export interface CompiledTemplate {
  readonly file: string;
  readonly body: Render;
  readonly fields: Readonly<Record<string, unknown>>;
}

const compileOptions: CompileOptions = {
  // Robot messages are markdown or text, not HTML: `'` must stay `'`, not `&#x27;`.
  noEscape: true,
  knownHelpers: Object.fromEntries(Object.keys(templateHelpers).map((name) => [name, true])),
  knownHelpersOnly: true,
};
type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;

/**
 * Every template in the search path, compiled once when the config loads: a syntax error names
 * the file and line and stops start-up, instead of surfacing on the first webhook.
 */
export class TemplateSet {
  readonly #templates = new Map<string, CompiledTemplate>();
  readonly #handlebars = Handlebars.create();

  private constructor() {
    for (const [name, helper] of Object.entries(templateHelpers))
      this.#handlebars.registerHelper(name, helper);
  }

  /** Compiles every `*.hbs` below each folder; returns the set and every problem found. */
  static load(dirs: readonly string[]): { set: TemplateSet; errors: HookmuxError[] } {
    const set = new TemplateSet();
    const errors: HookmuxError[] = [];
    for (const dir of new Set(dirs)) {
      if (!existsSync(dir)) {
        errors.push(
          new HookmuxError('HM_ERR_TPL_NOT_FOUND', `template folder ${dir} does not exist`, {
            hint: 'create it, or fix templates.dir / routes[].template in the config',
          }),
        );
        continue;
      }
      for (const file of listTemplates(dir)) {
        try {
          set.#templates.set(file, set.#compile(file));
        } catch (error) {
          errors.push(HookmuxError.is(error) ? error : toSyntaxError(file, error, 0));
        }
      }
    }
    return { set, errors };
  }

  /**
   * The template for an event: the first folder (route's, user's, built-in) that has one wins; within a folder
   * `<source>/<type>.<action>.<fmt>.hbs`, then `<source>/<type>.<fmt>.hbs`, then `_default.<fmt>.hbs`.
   */
  find(
    dirs: readonly string[],
    event: { source: string; type: string; action?: string | undefined },
    format: TemplateFormat,
  ): CompiledTemplate | undefined {
    const names = templateNames(event, format);
    for (const dir of dirs) {
      for (const name of names) {
        const found = this.#templates.get(join(dir, name));
        if (found) return found;
      }
    }
    return undefined;
  }

  /** The first of `names` (relative, `gitee/_digest.md.hbs`) found in the folders, folder by folder. */
  findNamed(dirs: readonly string[], names: readonly string[]): CompiledTemplate | undefined {
    for (const dir of dirs) {
      for (const name of names) {
        const found = this.#templates.get(join(dir, name));
        if (found) return found;
      }
    }
    return undefined;
  }

  get size(): number {
    return this.#templates.size;
  }

  #compile(file: string): CompiledTemplate {
    const source = readFileSync(file, 'utf8');
    const { frontMatter, body, bodyLine } = splitFrontMatter(source);
    let fieldsSource: unknown = {};
    if (frontMatter !== undefined) {
      try {
        fieldsSource = parseYaml(frontMatter) ?? {};
      } catch (error) {
        throw new HookmuxError(
          'HM_ERR_TPL_FRONT_MATTER',
          `front matter is not valid YAML: ${messageOf(error)}`,
          {
            at: `${file}:2`,
            hint: 'the block between the two --- lines must be YAML',
          },
        );
      }
    }
    const fields = this.#compileFields(fieldsSource, file);
    try {
      this.#handlebars.precompile(body, compileOptions);
    } catch (error) {
      throw toSyntaxError(file, error, bodyLine - 1);
    }
    return { file, body: this.#handlebars.compile(body, compileOptions), fields };
  }

  #compileFields(value: unknown, file: string): Readonly<Record<string, unknown>> {
    const compileValue = (v: unknown): unknown => {
      if (typeof v === 'string') {
        try {
          this.#handlebars.precompile(v, compileOptions);
        } catch (error) {
          throw toSyntaxError(file, error, 0);
        }
        return this.#handlebars.compile(v, compileOptions);
      }
      if (Array.isArray(v)) return v.map(compileValue);
      if (typeof v === 'object' && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, compileValue(inner)]));
      }
      return v;
    };
    const compiled = compileValue(value);
    return typeof compiled === 'object' && compiled !== null && !Array.isArray(compiled)
      ? (compiled as Record<string, unknown>)
      : {};
  }
}

export function templateNames(
  event: { source: string; type: string; action?: string | undefined },
  format: TemplateFormat,
): string[] {
  const names = [`${event.source}/${event.type}.${format}.hbs`, `_default.${format}.hbs`];
  if (event.action) names.unshift(`${event.source}/${event.type}.${event.action}.${format}.hbs`);
  return names;
}

/** Renders front-matter fields (compiled templates inside plain data) with a context. */
export function renderFields(
  fields: Readonly<Record<string, unknown>>,
  context: unknown,
  options: Handlebars.RuntimeOptions,
): Record<string, unknown> {
  const renderValue = (v: unknown): unknown => {
    if (typeof v === 'function') return (v as Render)(context, options).trim();
    if (Array.isArray(v)) return v.map(renderValue);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, renderValue(inner)]));
    }
    return v;
  };
  return renderValue(fields) as Record<string, unknown>;
}

function listTemplates(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.hbs')) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

function splitFrontMatter(source: string): {
  frontMatter: string | undefined;
  body: string;
  bodyLine: number;
} {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  if (!match) return { frontMatter: undefined, body: source, bodyLine: 1 };
  const lines = match[0].split('\n').length - (match[0].endsWith('\n') ? 1 : 0);
  return { frontMatter: match[1], body: source.slice(match[0].length), bodyLine: lines + 1 };
}

function toSyntaxError(file: string, error: unknown, lineOffset: number): HookmuxError {
  const message = messageOf(error);
  const reported = (error as { lineNumber?: unknown }).lineNumber;
  const line = typeof reported === 'number' ? reported : Number(/line (\d+)/.exec(message)?.[1] ?? NaN);
  const at = Number.isNaN(line) ? file : `${file}:${line + lineOffset}`;
  const unknownHelper = /unknown helper (\S+)/.exec(message)?.[1];
  const detail = unknownHelper
    ? `unknown helper "${unknownHelper}"`
    : (message
        .split('\n')
        .filter((l) => l.trim() !== '')
        .pop() ?? message);
  return new HookmuxError('HM_ERR_TPL_SYNTAX', `template does not compile: ${detail}`, {
    at,
    hint: `fix the template (helpers: ${Object.keys(templateHelpers).join(', ')})`,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `gitee/push.md.hbs` for a file below a folder, with `/` separators. */
export function relativeTemplateName(dir: string, file: string): string {
  return relative(dir, file).split(sep).join('/');
}
