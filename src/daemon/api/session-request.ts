// Validates a POST /v1/sessions body field by field, quoting the field and the value it got.
import type { CreateSessionRequest, Metadata } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { MAX_IDLE_TIMEOUT_S } from '../../shared/config-keys.js';
import { SESSION_ID_PATTERN } from '../engine/session-record.js';

export const MAX_METADATA_BYTES = 16 * 1024;
const MAX_WAIT_S = 86_400;
const MAX_CREDITS = 1e9;

const invalid = (message: string) => new ApiError('invalid_request', message);
const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

type FieldCheck = (value: unknown) => void;

const intField = (name: string, min: number, max: number): FieldCheck => (v) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${name} must be a whole number from ${min} to ${max}; got ${show(v)}.`);
  }
};

const stringField = (name: string): FieldCheck => (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) throw invalid(`${name} must be a non-empty string; got ${show(v)}.`);
};

const FIELDS: Record<keyof CreateSessionRequest, FieldCheck> = {
  board_type: stringField('board_type'),
  board_id: stringField('board_id'),
  idle_timeout_s: intField('idle_timeout_s', 1, MAX_IDLE_TIMEOUT_S),
  wait_s: intField('wait_s', 0, MAX_WAIT_S),
  max_credits: (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > MAX_CREDITS) {
      throw invalid(`max_credits must be a number from 1 to ${MAX_CREDITS} (a session costs 1 credit to start); got ${show(v)}.`);
    }
  },
  metadata: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(`metadata must be an object of string values; got ${show(v)}.`);
    const size = Buffer.byteLength(JSON.stringify(v));
    if (size > MAX_METADATA_BYTES) throw new ApiError('payload_too_large', `metadata is ${size} bytes; the limit is 16 KiB.`);
    for (const [k, val] of Object.entries(v as Metadata)) {
      if (typeof val !== 'string') throw invalid(`metadata.${k} must be a string; got ${show(val)}.`);
    }
  },
};

export function parseCreateSession(body: unknown): CreateSessionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`The request body must be a JSON object like {"board_type": "virtual"}; got ${show(body)}.`);
  }
  const fields = body as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    const check = FIELDS[key as keyof CreateSessionRequest];
    if (!check) throw invalid(`Unknown field '${key}'. Allowed: ${Object.keys(FIELDS).join(', ')}.`);
    if (value !== undefined) check(value);
  }
  if ((fields.board_type === undefined) === (fields.board_id === undefined)) {
    throw invalid('Give exactly one of board_type (e.g. "virtual") or board_id.');
  }
  return fields as CreateSessionRequest;
}

export function assertSessionId(id: string): void {
  if (!SESSION_ID_PATTERN.test(id)) {
    throw invalid(`'${id.slice(0, 64)}' is not a session id: ids look like ses_ followed by 24 letters and digits.`);
  }
}
