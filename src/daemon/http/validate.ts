// Field-by-field checks of a JSON request body, each quoting the field and the value it got (STYLE.md §8).
import type { Metadata } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';

export const MAX_METADATA_BYTES = 16 * 1024;

export type FieldCheck = (value: unknown) => void;

export const invalid = (message: string) => new ApiError('invalid_request', message);
export const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

export const intField = (name: string, min: number, max: number, unit = ''): FieldCheck => (v) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${name} must be a whole number from ${min} to ${max}${unit}; got ${show(v)}.`);
  }
};

export const stringField = (name: string): FieldCheck => (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) throw invalid(`${name} must be a non-empty string; got ${show(v)}.`);
};

/** String values only, at most 16 KiB as JSON (413 past that). */
export const metadataField: FieldCheck = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`metadata must be an object of string values; got ${show(v)}.`);
  const size = Buffer.byteLength(JSON.stringify(v));
  if (size > MAX_METADATA_BYTES) throw new ApiError('payload_too_large', `metadata is ${size} bytes; the limit is 16 KiB.`);
  for (const [k, val] of Object.entries(v as Metadata)) {
    if (typeof val !== 'string') throw invalid(`metadata.${k} must be a string; got ${show(val)}.`);
  }
};

/** Checks every field of a JSON object against its check; unknown fields are refused. `example` shows the shape. */
export function checkFields<T>(body: unknown, fields: Record<keyof T, FieldCheck>, example: string): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`The request body must be a JSON object like ${example}; got ${show(body)}.`);
  }
  for (const [key, value] of Object.entries(body)) {
    const check = fields[key as keyof T];
    if (!check) throw invalid(`Unknown field '${key}'. Allowed: ${Object.keys(fields).join(', ')}.`);
    if (value !== undefined) check(value);
  }
  return body as T;
}
