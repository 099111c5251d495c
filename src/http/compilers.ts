/**
 * Schema compilers that compile on first use. Fastify otherwise compiles every route's validators
 * (Ajv) and response serializers (fast-json-stringify) before it listens: about a second of CPU
 * for this API, most of a restart's time. A route's schemas are compiled by its first request
 * instead (a few milliseconds, once). Schemas themselves are checked by the OpenAPI test and by
 * the tests of every route.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../shared/schema-check.ts';

/** Bodies are validated strictly, query strings and path parameters coerced from text (see createAjv). */
export function lazyValidators() {
  const body = createAjv(false);
  const other = createAjv('array');
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => {
    let validate: ValidateFunction | undefined;
    const lazy = (data: unknown) => {
      validate ??= (httpPart === 'body' ? body : other).compile(schema);
      return validate(data);
    };
    // Fastify reads the failed call's errors from the function, as from Ajv's own.
    Object.defineProperty(lazy, 'errors', { get: () => validate?.errors });
    return lazy;
  };
}

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/** Fastify's own serializer factory (fast-json-stringify), each route's serializer built on first use. */
export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((doc: unknown) => string) | undefined;
    return (doc: unknown) => {
      serialize ??= compile(route);
      return serialize(doc);
    };
  };
};
