// Reading a request at the edge: its body, query and path parameters, each through its schema.
import type * as v from 'valibot';
import { ApiError } from '../../transport/protocol/errors.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { checkMetadataSize, parseWith } from '../../transport/protocol/schema-kit.js';
import { sessionId } from '../../transport/protocol/schemas/sessions.js';
import { readJson } from '../http/body.js';
import type { ApiRequest } from '../http/router.js';

/** `check` sees the raw body first (a refusal that needs more than the schema can say). */
export async function body<S extends v.GenericSchema>(r: ApiRequest, schema: S, check?: (raw: unknown) => void): Promise<v.InferOutput<S>> {
  const raw = await readJson(r.req);
  check?.(raw);
  checkMetadataSize(raw);
  return parseWith(schema, raw);
}

/** The query string as an object of own properties (a parameter named `__proto__` is just an unknown one). */
export function query<S extends v.GenericSchema>(r: ApiRequest, schema: S): v.InferOutput<S> {
  const params: Record<string, string> = {};
  for (const [key, value] of r.url.searchParams) {
    if (Object.hasOwn(params, key)) throw new ApiError('invalid_request', `The query parameter '${key.slice(0, 32)}' is given twice; give it once.`);
    Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return parseWith(schema, params, 'The query string');
}

export const truthy = (x: string | undefined) => x === '1' || x === 'true';

/** The session id in the path, checked. */
export function idParam(r: ApiRequest, name = 'id'): string {
  return parseWith(sessionId, r.params[name], 'The session id');
}

export function idempotencyKey(r: ApiRequest): string | null {
  const key = r.req.headers[HEADERS.idempotencyKey];
  if (key === undefined) return null;
  if (Array.isArray(key) || key.length === 0 || key.length > 255) {
    throw new ApiError('invalid_request', 'Idempotency-Key must be one header of 1 to 255 characters.');
  }
  return key;
}
