import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type ErrorKind, type FieldError } from '../shared/errors.ts';
import { fieldErrorsOf } from '../shared/schema-check.ts';
import { csvProblem } from './csv.ts';

/** RFC 9457 problem details, with our stable `code` and optional field errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  validation: 422,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  throttled: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `https://backfill.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

export function problemOfDomainError(error: DomainError): Problem {
  return problem(STATUS[error.kind], error.code, error.message, {
    ...error.extensions,
    ...(error.errors ? { errors: error.errors } : {}),
  });
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  // A CSV upload's errors name rows and columns rather than the JSON body's paths.
  const source = reply.request.csvSource;
  const sent = source ? csvProblem(body, source) : body;
  return reply.status(sent.status).type('application/problem+json').send(sent);
}

/** Turns an Ajv error path (`/lines/0/quantity`, or a missing property) into a JSON pointer. */
const fieldErrors = (error: FastifyError): FieldError[] => fieldErrorsOf(error.validation ?? []);

/** Maps framework and domain errors to problem+json; only the unexpected becomes a 500. */
export function mapError(error: FastifyError | DomainError | Error, request: FastifyRequest): Problem {
  if (error instanceof DomainError) return problemOfDomainError(error);
  const e = error as FastifyError;
  if (e.validation) {
    const errors = fieldErrors(e);
    const where = e.validationContext === 'body' ? 'request body' : e.validationContext;
    const first = errors[0];
    return problem(
      422,
      'validation_failed',
      `Invalid ${where}: ${first ? `${first.path} ${first.message}` : e.message}`,
      {
        errors,
      },
    );
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'payload_too_large', 'The request body is larger than 1 MiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'unsupported_media_type', 'Send the request body as application/json');
    case 'MALFORMED_CSV':
      return problem(400, 'malformed_csv', e.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'malformed_json', 'The request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, 'bad_request', 'The Content-Length header does not match the body');
    case 'RATE_LIMITED':
      return problem(429, 'rate_limited', e.message);
  }
  if (e instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.statusCode === 400) {
    if (e instanceof SyntaxError || /JSON|prototype|constructor/i.test(e.message)) {
      return problem(400, 'malformed_json', `The request body is not valid JSON: ${e.message}`);
    }
    return problem(400, 'bad_request', e.message);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return problem(e.statusCode, 'bad_request', e.message);
  }
  request.log.error({ err: error }, 'unexpected error');
  return problem(500, 'internal_error', 'Something went wrong on our side; the request can be retried');
}
