// Building blocks for the API's schemas (valibot): fields whose failures read as sentences quoting the field and
// the value it got, and one parse step that turns the first issue into a 400 a person can act on.
import * as v from 'valibot';
import { RESERVED_NAMES } from '../../shared/config/defaults.js';
import { ApiError } from './errors.js';

export const MAX_METADATA_BYTES = 16 * 1024;

/** `{field}` in a message is replaced by the issue's path, `{got}` by the value it got. */
type Template = string;

export const show = (x: unknown): string => {
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

export const wholeNumber = (min: number, max: number, unit = '') => {
  const m: Template = `{field} must be a whole number from ${min} to ${max}${unit}; got {got}.`;
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
};

export const numberIn = (min: number, max: number, what: string) => {
  const m: Template = `{field} must be ${what}; got {got}.`;
  return v.pipe(v.number(m), v.finite(m), v.minValue(min, m), v.maxValue(max, m));
};

export const text = (maxLength = 128) => {
  const m: Template = '{field} must be a non-empty string; got {got}.';
  const long = (issue: v.BaseIssue<unknown>) => `{field} is ${String(issue.input).length} characters long; the limit is ${maxLength}.`;
  return v.pipe(v.string(m), v.minLength(1, m), v.maxLength(maxLength, long));
};

export const oneOf = <const T extends readonly [string, ...string[]]>(options: T) =>
  v.picklist(options, `{field} must be ${options.map((o) => JSON.stringify(o)).join(' or ')}; got {got}.`);

export const flag = () => v.boolean('{field} must be true or false; got {got}.');

/** String values only, at most 16 KiB as JSON (413 past that); keys such as __proto__ are refused, never dropped. */
export const metadata = () =>
  v.custom<Record<string, string>>((input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
    return Object.entries(input).every(([k, val]) => typeof val === 'string' && !RESERVED_NAMES.has(k));
  }, (issue) => {
    const input = issue.input as unknown;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return `{field} must be an object of string values; got ${show(input)}.`;
    const [k, val] = Object.entries(input).find(([key, x]) => typeof x !== 'string' || RESERVED_NAMES.has(key))!;
    return RESERVED_NAMES.has(k) ? `{field} key '${k}' is a reserved name; pick another key.` : `{field}.${k} must be a string; got ${show(val)}.`;
  });

function fieldOf(issue: v.BaseIssue<unknown>, root: string): string {
  const keys = (issue.path ?? []).map((p) => String(p.key));
  return keys.length ? keys.join('.') : root;
}

/** The sentence for an issue: a field's own message, or what an unknown field is. */
export function describeIssue(issue: v.BaseIssue<unknown>, schema: v.GenericSchema, root: string): string {
  const field = fieldOf(issue, root);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const keys = (issue.path ?? []).map((p) => String(p.key));
    const entries = entriesAt(schema, keys.slice(0, -1));
    const allowed = entries ? Object.keys(entries) : [];
    return `Unknown field '${keys.length > 1 ? keys.join('.') : String(issue.input)}'.${allowed.length ? ` Allowed: ${allowed.join(', ')}.` : ''}`;
  }
  // A required field that is not there: the issue is the object's, at the field's path.
  if ((issue.type === 'object' || issue.type === 'strict_object') && issue.input === undefined && (issue.path?.length ?? 0) > 0) return `${field} is required.`;
  if (issue.type === 'object' || issue.type === 'strict_object') return `${field === root ? root : field} must be a JSON object; got ${show(issue.input)}.`;
  return issue.message.replaceAll('{field}', field).replaceAll('{got}', show(issue.input));
}

/** The fields of the object schema at `keys` inside `schema` (through optional and pipe wrappers). */
function entriesAt(schema: v.GenericSchema, keys: readonly string[]): object | null {
  let at = schema as unknown as { entries?: Record<string, unknown>; wrapped?: unknown; pipe?: unknown[] };
  for (let i = 0; ; ) {
    if (at.pipe) at = at.pipe[0] as typeof at;
    else if (at.wrapped) at = at.wrapped as typeof at;
    else if (i === keys.length) return at.entries ?? null;
    else if (at.entries && Object.hasOwn(at.entries, keys[i]!)) at = at.entries[keys[i++]!] as typeof at;
    else return null;
  }
}

/** Parses `value` with `schema`; the first issue becomes a 400 (invalid_request), or a 413 for oversized metadata. */
export function parseWith<S extends v.GenericSchema>(schema: S, value: unknown, root = 'The request body'): v.InferOutput<S> {
  // valibot's object schemas take arrays too; a list where an object belongs is refused here.
  if (Array.isArray(value) && expectsObject(schema)) throw new ApiError('invalid_request', `${root} must be a JSON object; got ${show(value)}.`);
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0]!;
  throw new ApiError('invalid_request', describeIssue(issue, schema, root));
}

function expectsObject(schema: v.GenericSchema): boolean {
  const root = (schema as { pipe?: v.GenericSchema[] }).pipe?.[0] ?? schema;
  return ['object', 'strict_object', 'loose_object'].includes(root.type);
}

/** Metadata over 16 KiB is a 413, checked before the schema's other rules. */
export function checkMetadataSize(body: unknown): void {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'metadata')) return;
  const size = Buffer.byteLength(JSON.stringify((body as { metadata: unknown }).metadata) ?? '');
  if (size > MAX_METADATA_BYTES) {
    throw new ApiError('payload_too_large', `metadata is ${size} bytes; the limit is 16 KiB. Keep large data elsewhere and store a reference in metadata.`);
  }
}
