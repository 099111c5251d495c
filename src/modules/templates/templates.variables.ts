import {
  analyzeSync,
  ForTag,
  TablerowTag,
  type Template,
  TypeGuards,
  toValueSync,
  type Variable,
} from 'liquidjs';
import {
  CONTEXT_SHAPE,
  fieldsOf,
  isList,
  type Shape,
  shapeOf,
  type TemplateKind,
} from './templates.context.ts';

/**
 * Static check of the variables a parsed template reads against what its kind may use (see
 * `CONTEXT_FIELDS`): `{{ customer.nmae }}`, `{{ foo }}` or `{{ delay.eta }}` in an order
 * confirmation are refused wherever they are, even in a branch the sample data never takes. Loop
 * variables are checked as items of their list (`{% for line in order.lines %}{{ line.titel }}`).
 * Variables made with assign/capture are not typed here; the trial render catches their misuse.
 */

type SegmentArray = ReturnType<Variable['toArray']>;
type Fields = { readonly [field: string]: Shape };

const FORLOOP: Fields = {
  first: 'boolean',
  last: 'boolean',
  index: 'number',
  index0: 'number',
  rindex: 'number',
  rindex0: 'number',
  length: 'number',
  name: 'string',
};
const TABLEROWLOOP: Fields = {
  ...FORLOOP,
  col: 'number',
  col0: 'number',
  col_first: 'boolean',
  col_last: 'boolean',
  row: 'number',
};

type Followed = { shape: Shape } | { at: number; reason: string };

/** Follows `segments` from index `from` through `shape` (Liquid's size/first/last included). */
function follow(start: Shape, segments: SegmentArray, from: number): Followed {
  let shape = start;
  for (let at = from; at < segments.length; at++) {
    const segment = segments[at];
    const field = typeof segment === 'string' ? segment : null;
    if (isList(shape)) {
      if (field === 'size') shape = 'number';
      else if (field === null || field === 'first' || field === 'last') shape = shape[0];
      else return { at, reason: 'is a list: loop over it with {% for %}, or use .first, .last or .size' };
    } else if (typeof shape === 'object') {
      const fields: Fields = shape;
      if (field === null || !Object.hasOwn(fields, field)) {
        return { at, reason: `has only ${Object.keys(fields).join(', ')}` };
      }
      shape = fields[field]!;
    } else if (shape === 'string' && field === 'size') {
      shape = 'number';
    } else {
      return { at, reason: `is ${shape === 'boolean' ? 'true or false' : `a ${shape}`}, with no fields` };
    }
  }
  return { shape };
}

function pathText(segments: SegmentArray): string {
  return segments
    .map((segment, index) => {
      if (Array.isArray(segment)) return `[${pathText(segment)}]`;
      if (typeof segment === 'number') return `[${segment}]`;
      return index === 0 ? segment : `.${segment}`;
    })
    .join('');
}

const where = (variable: Variable): string =>
  `(line ${variable.location.row}, column ${variable.location.col})`;

/** The problem with `variable` read through `start` from its second segment on, if any. */
function pathProblem(variable: Variable, start: Shape): string | null {
  const segments = variable.toArray();
  const followed = follow(start, segments, 1);
  if ('shape' in followed) return null;
  return (
    `unknown variable "${pathText(segments)}" ${where(variable)}: ` +
    `${pathText(segments.slice(0, followed.at))} ${followed.reason}`
  );
}

function rootProblem(variable: Variable, kind: TemplateKind): string | null {
  const root = String(variable.segments[0]);
  const allowed = shapeOf(kind);
  if (Object.hasOwn(allowed, root)) return pathProblem(variable, allowed[root]!);
  const available = fieldsOf(kind).join(', ');
  if (root === 'forloop' || root === 'tablerowloop') {
    return `"${pathText(variable.toArray())}" ${where(variable)} is only available inside a loop`;
  }
  if (Object.hasOwn(CONTEXT_SHAPE, root)) {
    return `"${root}" is not available in ${kind} messages ${where(variable)}; they have ${available}`;
  }
  return `unknown variable "${pathText(variable.toArray())}" ${where(variable)}; messages of this kind have ${available}`;
}

const globalsOf = (templates: Template[]): Variable[] =>
  Object.values(analyzeSync(templates, { partials: false }).globals).flat();

const childrenOf = (template: Template): Template[] =>
  template.children ? toValueSync(template.children(false, true)) : [];

type Loop = ForTag | TablerowTag;

/** The shape of one item of the loop's collection, or null when it cannot be told statically. */
function itemShape(loop: Loop, aliases: ReadonlyMap<string, Shape | null>, kind: TemplateKind): Shape | null {
  if (TypeGuards.isRangeToken(loop.collection)) return 'number';
  if (!TypeGuards.isPropertyAccessToken(loop.collection)) return null;
  const probe: Template = { token: loop.token, render: () => undefined, arguments: () => [loop.collection] };
  const variable = Object.values(analyzeSync([probe]).variables).flat()[0];
  if (!variable) return null;
  const root = String(variable.segments[0]);
  const fields = shapeOf(kind);
  const start = aliases.has(root) ? aliases.get(root) : Object.hasOwn(fields, root) ? fields[root] : null;
  if (!start) return null;
  const followed = follow(start, variable.toArray(), 1);
  return 'shape' in followed && isList(followed.shape) ? followed.shape[0] : null;
}

/** Each loop body is analysed again on its own: the depth bounds that work (and no email needs more). */
const MAX_LOOP_DEPTH = 8;

function checkLoops(
  templates: Template[],
  aliases: ReadonlyMap<string, Shape | null>,
  kind: TemplateKind,
  report: (problem: string) => void,
  depth = 0,
): void {
  for (const template of templates) {
    const body = childrenOf(template);
    if (!(template instanceof ForTag || template instanceof TablerowTag)) {
      checkLoops(body, aliases, kind, report, depth);
      continue;
    }
    if (depth >= MAX_LOOP_DEPTH) {
      const [row, col] = template.token.getPosition();
      report(`loops are nested more than ${MAX_LOOP_DEPTH} deep (line ${row}, column ${col})`);
      return;
    }
    // Within the body alone, the loop variable and forloop are "globals": exactly its readers.
    const item = itemShape(template, aliases, kind);
    const [loopName, loopShape] =
      template instanceof ForTag ? ['forloop', FORLOOP] : ['tablerowloop', TABLEROWLOOP];
    for (const variable of globalsOf(body)) {
      const root = variable.segments[0];
      const start = root === template.variable ? item : root === loopName ? loopShape : null;
      const problem = start ? pathProblem(variable, start) : null;
      if (problem) report(problem);
    }
    checkLoops(body, new Map(aliases).set(template.variable, item), kind, report, depth + 1);
  }
}

/** Every read of a variable the kind does not have, worded for the merchant (empty = all fine). */
export function unknownVariables(templates: Template[], kind: TemplateKind): string[] {
  const problems = new Set<string>();
  for (const variable of globalsOf(templates)) {
    const problem = rootProblem(variable, kind);
    if (problem) problems.add(problem);
  }
  checkLoops(templates, new Map(), kind, (problem) => problems.add(problem));
  return [...problems];
}
