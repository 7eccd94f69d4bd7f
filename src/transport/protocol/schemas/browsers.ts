// Browser session requests (DESIGN §4, seed 002, camelCase): POST /v1/browsers and the queries of GET/DELETE /v1/browsers.
import * as v from 'valibot';
import { ARTIFACT_KINDS, BROWSER_SESSION_STATES, MAX_BROWSER_MAX_DURATION_MS } from '../browser-api.js';
import { ApiError } from '../errors.js';
import { flag, metadata, show, wholeNumber } from '../schema-kit.js';
import { fingerprint, profileKey, proxy } from './browser-options.js';
import { sessionId } from './sessions.js';

export const MAX_WAIT_MS = 25_000;

export const CreateBrowserBody = v.strictObject({
  maxDurationMs: v.optional(wholeNumber(1000, MAX_BROWSER_MAX_DURATION_MS, ' (24 h)')),
  recording: v.optional(flag()),
  record: v.optional(
    v.array(
      v.picklist(ARTIFACT_KINDS, `record: {got} is not an artifact kind; use ${ARTIFACT_KINDS.join(', ')} (and recording: true for a video).`),
      `record must be a list of ${ARTIFACT_KINDS.join(', ')}; got {got}.`,
    ),
  ),
  profile: v.optional(profileKey),
  proxy: v.optional(proxy),
  fingerprint: v.optional(fingerprint),
  metadata: v.optional(metadata()),
});
export type CreateBrowserBody = v.InferOutput<typeof CreateBrowserBody>;

/** Fields of the snake_case API before the seed's names: refused with the field to send instead. */
const RENAMED = new Map([['max_duration_ms', 'maxDurationMs']]);
const RENAMED_VALUES = new Map([['console_log', 'consoleLogs']]);

/** What the schema cannot say: valibot takes `[]` for an object, and a body written for the snake_case API. */
export function refuseRenamed(raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const o = raw as { proxy?: unknown; fingerprint?: { viewport?: unknown } };
  for (const [field, value] of [['proxy', o.proxy], ['fingerprint', o.fingerprint], ['fingerprint.viewport', o.fingerprint?.viewport]] as const) {
    if (Array.isArray(value)) throw new ApiError('invalid_request', `${field} must be a JSON object; got ${show(value)}.`);
  }
  for (const [old, now] of RENAMED) {
    if (Object.hasOwn(raw, old)) throw new ApiError('invalid_request', `${old} is now ${now} (the API speaks the seed's camelCase names); send {"${now}": …}.`);
  }
  const record = (raw as { record?: unknown }).record;
  if (Array.isArray(record)) {
    for (const [old, now] of RENAMED_VALUES) {
      if (record.includes(old)) throw new ApiError('invalid_request', `record: "${old}" is now "${now}"; send "record": ["${now}"].`);
    }
  }
}

const timeout = () => {
  const m = `{field} must be a whole number from 0 to ${MAX_WAIT_MS}; got {got}.`;
  return v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/, m), v.transform(Number), v.maxValue(MAX_WAIT_MS, m)));
};

export const BrowserQuery = v.strictObject({
  id: v.optional(sessionId),
  all: v.optional(v.string()),
  wait: v.optional(
    v.picklist(['usable', ...BROWSER_SESSION_STATES], `wait must be 'usable' or a state (${BROWSER_SESSION_STATES.join(', ')}); got {got}.`),
  ),
  timeoutMs: timeout(),
  /** The name before the seed's: still taken, so a host and a client one version apart agree. */
  timeout_ms: timeout(),
});
