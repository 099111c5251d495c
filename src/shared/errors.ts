/**
 * Typed domain errors with stable codes. The core never knows about HTTP: the HTTP layer maps
 * each kind to a status once (src/http/problem.ts).
 */
export type ErrorKind =
  | 'bad_request' // the request lacks what is needed to read it (400)
  | 'validation' // the request is well-formed but not acceptable (422)
  | 'not_found' // 404
  | 'conflict' // the current state forbids it (409)
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'throttled' // too many tries: retry after a while (429)
  | 'unavailable'; // a service the request needs did not answer; retry later (503)

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly errors?: FieldError[],
  ) {
    // Expected business outcomes (a sold-out SKU during a flash sale) are frequent; a stack trace
    // says nothing about them and costs real time to capture.
    const traceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = traceLimit;
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('not_found', 'not_found', `${what} "${id}" does not exist`);

export const invalid = (code: string, message: string, errors?: FieldError[]): DomainError =>
  new DomainError('validation', code, message, {}, errors);
