/** A JSON Schema (draft 2020-12 subset, as ajv reads it). */
export type JsonSchema = Readonly<Record<string, unknown>>;
