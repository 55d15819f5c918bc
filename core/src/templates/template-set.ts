import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import Handlebars from 'handlebars';
import { parse as parseYaml } from 'yaml';

import type { TemplateFormat } from '../contracts/message.js';
import { HookmuxError } from '../errors/hookmux-error.js';
import { singleLineKeys, toHttpUrl } from './escape-for-dialect.js';
import { escapeHelperName, escapeValue, type RenderState, templateHelpers } from './template-helpers.js';

type Render = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/** One compiled template file: its body and its front matter (each string value a template). */
export interface CompiledTemplate {
  readonly file: string;
  readonly body: Render;
  readonly fields: Readonly<Record<string, unknown>>;
}

const compileOptions: CompileOptions = {
  // Handlebars' own escaping is for HTML (`'` → `&#x27;`); robots get theirs from `__escape`,
  // which compileEscaped wraps around every `{{value}}` (issue 13).
  noEscape: true,
  knownHelpers: Object.fromEntries(
    [...Object.keys(templateHelpers), escapeHelperName].map((name) => [name, true]),
  ),
  knownHelpersOnly: true,
};
type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
type AstNode = hbs.AST.Node;

/**
 * Parses a template and rewrites every double-brace mustache `{{x}}` / `{{helper a b}}` into
 * `{{__escape x}}` / `{{__escape (helper a b)}}`, so that what a template prints is text in the
 * message's dialect unless it is markup on purpose: a SafeString from a helper, `{{raw x}}`, or a
 * triple-brace `{{{x}}}` (left alone). A value from a single-line key (`title`, `name`, `refName`,
 * …) also gets `oneLine=true`, triple braces too (`raw=true`): it prints as one line.
 */
export function parseEscaped(source: string): hbs.AST.Program {
  const program = Handlebars.parse(source);
  wrapMustaches(program);
  return program;
}

const helperNames = new Set([...Object.keys(templateHelpers), 'lookup', 'log']);

function wrapMustaches(node: AstNode | undefined | null): void {
  if (!node) return;
  switch (node.type) {
    case 'Program':
      for (const statement of (node as hbs.AST.Program).body) wrapMustaches(statement);
      return;
    case 'BlockStatement':
    case 'PartialBlockStatement':
    case 'DecoratorBlock': {
      const block = node as hbs.AST.BlockStatement;
      wrapMustaches(block.program);
      wrapMustaches(block.inverse);
      return;
    }
    case 'MustacheStatement': {
      const mustache = node as hbs.AST.MustacheStatement & { path: hbs.AST.Expression };
      const path = mustache.path as hbs.AST.PathExpression;
      const isCall =
        mustache.params.length > 0 ||
        (mustache.hash?.pairs.length ?? 0) > 0 ||
        (path.type === 'PathExpression' && helperNames.has(path.original));
      // The key the printed value comes from (`issue.title`, or a helper's first argument).
      const source = isCall ? mustache.params[0] : mustache.path;
      const key =
        source?.type === 'PathExpression' ? (source as hbs.AST.PathExpression).parts.at(-1) : undefined;
      const oneLine = key !== undefined && singleLineKeys.has(key);
      // `{{{value}}}` stays unescaped; only a one-line value is still made one line.
      if (!mustache.escaped && !oneLine) return;
      const inner: hbs.AST.Expression = isCall
        ? ({
            type: 'SubExpression',
            path: mustache.path,
            params: mustache.params,
            hash: mustache.hash,
            loc: mustache.loc,
          } as unknown as hbs.AST.SubExpression)
        : mustache.path;
      const escapePath: hbs.AST.PathExpression = {
        type: 'PathExpression',
        data: false,
        depth: 0,
        parts: [escapeHelperName],
        original: escapeHelperName,
        loc: mustache.loc,
      };
      mustache.path = escapePath;
      mustache.params = [inner];
      const flag = (name: string): hbs.AST.HashPair => ({
        type: 'HashPair',
        key: name,
        value: {
          type: 'BooleanLiteral',
          value: true,
          original: true,
          loc: mustache.loc,
        } as hbs.AST.BooleanLiteral,
        loc: mustache.loc,
      });
      const pairs = [...(oneLine ? [flag('oneLine')] : []), ...(mustache.escaped ? [] : [flag('raw')])];
      if (pairs.length > 0) mustache.hash = { type: 'Hash', pairs, loc: mustache.loc };
      else delete (mustache as { hash?: hbs.AST.Hash }).hash;
      return;
    }
    default:
      return;
  }
}

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
    this.#handlebars.registerHelper(escapeHelperName, escapeValue);
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
    return { file, body: this.#checked(body, file, bodyLine - 1), fields };
  }

  /**
   * A template checked now (parsed and precompiled: a syntax error or unknown helper names the file
   * and line) and compiled on its first render. Until then only the text is kept, not the syntax
   * tree: most templates (other sources', other formats') never render in a given process, and
   * the main thread renders only dry runs.
   */
  #checked(source: string, file: string, lineOffset: number): Render {
    try {
      this.#handlebars.precompile(parseEscaped(source), compileOptions);
    } catch (error) {
      throw toSyntaxError(file, error, lineOffset);
    }
    let render: Render | undefined;
    return (context, options) => {
      render ??= this.#handlebars.compile(parseEscaped(source), compileOptions);
      return render(context, options);
    };
  }

  #compileFields(value: unknown, file: string): Readonly<Record<string, unknown>> {
    const compileValue = (v: unknown): unknown => {
      if (typeof v === 'string') return this.#checked(v, file, 0);
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

/**
 * Renders front-matter fields (compiled templates inside plain data) with a context. A field whose
 * key ends in `url` (`url`, `picurl`, `buttons[].url`, a card's `jump_list[].url`) is a link
 * target: its values print unescaped and the result is kept only when it is one http(s) URL,
 * else it is empty (issue 13: no `javascript:` link from a payload).
 */
export function renderFields(
  fields: Readonly<Record<string, unknown>>,
  context: unknown,
  options: Handlebars.RuntimeOptions,
): Record<string, unknown> {
  const data = (options.data ?? {}) as { hookmux?: RenderState };
  const urlOptions: Handlebars.RuntimeOptions = data.hookmux
    ? { ...options, data: { ...data, hookmux: { ...data.hookmux, urlField: true } } }
    : options;
  const renderValue = (v: unknown, key: string): unknown => {
    if (typeof v === 'function') {
      if (!/url$/i.test(key)) return (v as Render)(context, options).trim();
      return toHttpUrl((v as Render)(context, urlOptions)) ?? '';
    }
    if (Array.isArray(v)) return v.map((inner) => renderValue(inner, key));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, renderValue(inner, k)]));
    }
    return v;
  };
  return renderValue(fields, '') as Record<string, unknown>;
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
