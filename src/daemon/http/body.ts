// Reads a request body with a hard size limit, refusing oversize bodies before parsing them (DESIGN §4).
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (size: string, limit: number) =>
  new ApiError('payload_too_large', `The request body is ${size}; the limit is ${limit === MAX_BODY_BYTES ? '1 MiB' : `${limit} bytes`}.`);

/** A refused body is read to its end (up to this much) before the answer, which would otherwise be lost. */
const DRAIN_CAP = 128 * 1024 * 1024;

/**
 * Reads and drops the rest of a body, then throws `err`. A client that sends its whole body before reading
 * (most do, without `Expect: 100-continue`) loses an answer sent over a socket that is closed with bytes unread.
 */
export async function refuseBody(req: IncomingMessage, err: Error, seen = 0): Promise<never> {
  for await (const chunk of req as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > DRAIN_CAP) break;
  }
  throw err;
}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return refuseBody(req, tooLarge(`${declared} bytes`, limit));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return refuseBody(req, tooLarge(limit === MAX_BODY_BYTES ? 'over 1 MiB' : `over ${limit} bytes`, limit), size);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body as JSON; an empty body is `{}`. */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiError('invalid_request', `The request body is not valid JSON: ${(err as Error).message}.`);
  }
}
