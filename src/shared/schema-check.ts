/** JSON Schema checks with Ajv, configured once for the HTTP layer and for use cases alike. */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from './errors.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Bodies are checked strictly (`coerceTypes: false`: "5" is not a quantity, unknown fields are
 * refused); query strings and path parameters are text, coerced (`'array'`).
 */
export function createAjv(coerceTypes: false | 'array'): Ajv {
  return addFormats(
    new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, coerceTypes }),
  );
}

interface SchemaError {
  instancePath: string;
  params: unknown;
  message?: string;
}

/** Ajv's errors as field errors: JSON pointers, a missing or unknown member named at its own path. */
export function fieldErrorsOf(errors: readonly SchemaError[]): FieldError[] {
  return errors.map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const base = v.instancePath || '';
    const path = missing ? `${base}/${missing}` : extra ? `${base}/${extra}` : base || '/';
    const message = extra ? 'is not a known field' : (v.message ?? 'is invalid');
    return { path, message };
  });
}

let bodies: Ajv | undefined;

/**
 * Checks values against `schema` as request bodies are checked; returns the field errors (none:
 * valid). The schema is compiled on the first check, not when the module loads (start-up).
 */
export function compileCheck(schema: object): (value: unknown) => FieldError[] {
  let validate: ReturnType<Ajv['compile']> | undefined;
  return (value) => {
    bodies ??= createAjv(false);
    validate ??= bodies.compile(schema);
    return validate(value) ? [] : fieldErrorsOf(validate.errors ?? []);
  };
}
