// Reads a request body with a hard size limit, refusing oversize bodies before parsing them (DESIGN §4).
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (size: string) =>
  new ApiError('payload_too_large', `The request body is ${size}; the limit is 1 MiB.`);

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(`${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge('over 1 MiB');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body as JSON; an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiError('invalid_request', `The request body is not valid JSON: ${(err as Error).message}.`);
  }
}
