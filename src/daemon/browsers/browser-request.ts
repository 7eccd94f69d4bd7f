// Validates a POST /v1/browsers body and the ids in browser URLs, quoting the field and the value it got.
import type { Metadata } from '../../transport/protocol/api.js';
import {
  ARTIFACT_KINDS,
  MAX_BROWSER_MAX_DURATION_MS,
  type ArtifactKind,
  type CreateBrowserRequest,
} from '../../transport/protocol/browser-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { SESSION_ID_PATTERN } from '../engine/session-record.js';
import { MAX_METADATA_BYTES } from '../api/session-request.js';

const MIN_DURATION_MS = 1000;
const invalid = (message: string) => new ApiError('invalid_request', message);
const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

const FIELDS: Record<keyof CreateBrowserRequest, (v: unknown) => void> = {
  max_duration_ms: (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_DURATION_MS || v > MAX_BROWSER_MAX_DURATION_MS) {
      throw invalid(`max_duration_ms must be a whole number from ${MIN_DURATION_MS} to ${MAX_BROWSER_MAX_DURATION_MS} (24 h); got ${show(v)}.`);
    }
  },
  record: (v) => {
    if (!Array.isArray(v)) throw invalid(`record must be a list of ${ARTIFACT_KINDS.join(', ')}; got ${show(v)}.`);
    for (const kind of v) {
      if (!(ARTIFACT_KINDS as readonly unknown[]).includes(kind)) {
        throw invalid(`record: ${show(kind)} is not an artifact kind; use ${ARTIFACT_KINDS.join(', ')}.`);
      }
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

export function parseCreateBrowser(body: unknown): CreateBrowserRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`The request body must be a JSON object like {"record": ["har"]}; got ${show(body)}.`);
  }
  for (const [key, value] of Object.entries(body)) {
    const check = FIELDS[key as keyof CreateBrowserRequest];
    if (!check) throw invalid(`Unknown field '${key}'. Allowed: ${Object.keys(FIELDS).join(', ')}.`);
    if (value !== undefined) check(value);
  }
  const req = body as CreateBrowserRequest;
  return req.record ? { ...req, record: [...new Set(req.record)] as ArtifactKind[] } : req;
}

export function assertBrowserId(id: string | null): string {
  if (id === null || id === '') throw invalid('Give the browser session id: ?id=ses_….');
  if (!SESSION_ID_PATTERN.test(id)) {
    throw invalid(`'${id.slice(0, 64)}' is not a session id: ids look like ses_ followed by 24 letters and digits.`);
  }
  return id;
}
