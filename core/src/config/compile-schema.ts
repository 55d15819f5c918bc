import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

import type { JsonSchema } from './json-schema.js';

/**
 * `x-expected` is hookmux's annotation: the expectation, in plain words, that an error message
 * shows instead of ajv's wording (`must be a duration like 90s`). Registered so strict mode
 * accepts it; other JSON Schema tools ignore unknown `x-` keywords.
 */
const annotations = ['x-expected'];

let strictAjv: Ajv2020 | undefined;
let lenientAjv: Ajv2020 | undefined;
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/**
 * Compiles a JSON Schema (2020-12) once per schema object. The config schema is ours and held
 * to strict mode; plugin schemas are third-party, so unknown keywords and formats are let
 * through rather than refused at start-up. Both fill in `default`s and report every error.
 */
export function compileSchema(schema: JsonSchema, mode: 'strict' | 'lenient' = 'lenient'): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached !== undefined) return cached;
  const ajv = getAjv(mode);
  // ajv keeps schemas by `$id`; a re-read copy of the same file (a config reload) replaces it.
  if (typeof schema['$id'] === 'string') ajv.removeSchema(schema['$id']);
  const validate = ajv.compile(schema);
  compiled.set(schema, validate);
  return validate;
}

/** Checks a schema against the JSON Schema 2020-12 meta-schema; the problems, or []. */
export function checkSchema(schema: JsonSchema): string[] {
  const ajv = getAjv('strict');
  const valid = ajv.validateSchema(schema);
  if (valid === true) return [];
  return (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

function getAjv(mode: 'strict' | 'lenient'): Ajv2020 {
  if (mode === 'strict') {
    strictAjv ??= createAjv(true);
    return strictAjv;
  }
  lenientAjv ??= createAjv(false);
  return lenientAjv;
}

function createAjv(strict: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    // Errors carry their schema, so messages can list known keys and say `x-expected`.
    verbose: true,
    useDefaults: true,
    allowUnionTypes: true,
    strict,
    // `then: {required: [url]}` names a key declared beside the `if`, which strictRequired cannot see.
    strictRequired: false,
    // Plugin schemas may say `format: uri`; without ajv-formats the lenient instance skips
    // formats it does not know instead of failing to compile.
    validateFormats: true,
    logger: false,
  });
  for (const keyword of annotations) ajv.addKeyword({ keyword, schemaType: 'string' });
  if (!strict) {
    ajv.addFormat('uri', { type: 'string', validate: isUrl });
    ajv.addFormat('url', { type: 'string', validate: isUrl });
  }
  return ajv;
}

function isUrl(value: string): boolean {
  return URL.canParse(value);
}
