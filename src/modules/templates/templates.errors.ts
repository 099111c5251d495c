import { DomainError, type FieldError } from '../../shared/errors.ts';

export const noSuchTemplate = (kind: string, channel: string): DomainError =>
  new DomainError('not_found', 'not_found', `There is no ${channel} template for "${kind}" messages`, {
    kind,
    channel,
  });

/** A template that would not render, or would render wrong; `errors` lists every problem. */
export const templateInvalid = (errors: FieldError[]): DomainError =>
  new DomainError(
    'validation',
    'template_invalid',
    `The template has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}: ${errors[0]?.path} ${errors[0]?.message}`,
    {},
    errors,
  );

/** A stored template that failed on real data (e.g. hit a render limit the sample did not). */
export const templateRenderFailed = (
  kind: string,
  channel: string,
  part: string,
  reason: string,
): DomainError =>
  new DomainError(
    'validation',
    'template_render_failed',
    `The ${channel} template for "${kind}" could not be rendered (${part}): ${reason}`,
    { kind, channel, part },
  );
