// Reads a flash upload: an octet-stream body of the images end to end, described by the `fbay-flash-images` header.
// Too much is refused by its declared size before a byte is read; only a complete body becomes images.
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../transport/protocol/errors.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { parseWith } from '../../transport/protocol/schema-kit.js';
import { FlashImagesHeader } from '../../transport/protocol/schemas/flash.js';
import { checkDeclaredSize, formatBytes, type ImageInput } from './flash-plan.js';

export const OCTET_STREAM = 'application/octet-stream';

/** The socket closes after a refusal: the rest of an oversized body is never read. */
const CLOSE = { connection: 'close' };

const invalid = (message: string) => new ApiError('invalid_request', message);
const refuse = (message: string) => new ApiError('invalid_request', message, {}, CLOSE);

/** Checks what the request says it carries against `limit` (the board's flash); throws before anything is read. */
export function declaredImages(req: IncomingMessage, limit: number): FlashImagesHeader {
  try {
    return declared(req, limit);
  } catch (err) {
    // Refused: the socket closes after the answer, and the rest of the body is never read.
    throw err instanceof ApiError ? new ApiError(err.code, err.message, err.extra, CLOSE) : err;
  }
}

function declared(req: IncomingMessage, limit: number): FlashImagesHeader {
  const length = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (length !== null && length > limit) {
    throw new ApiError('payload_too_large', `That upload is ${formatBytes(length)}, larger than the board's ${formatBytes(limit)} flash, so it was refused before it was read. Check that it is the right file (an app .bin from idf.py build, or a merged image).`, { flash_size: limit });
  }
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== OCTET_STREAM) {
    throw invalid(`A flash upload is the images end to end as ${OCTET_STREAM}, described by the ${HEADERS.flashImages} header; got content-type '${type.slice(0, 64) || 'none'}'. \`fbay flash\` sends it so.`);
  }
  const raw = req.headers[HEADERS.flashImages];
  if (typeof raw !== 'string') throw invalid(`Say what the body holds in the ${HEADERS.flashImages} header: a JSON list of {"name", "size", "offset"} (offset null: where its kind belongs).`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw invalid(`The ${HEADERS.flashImages} header is not valid JSON: ${(err as Error).message}.`);
  }
  const images = parseWith(FlashImagesHeader, parsed, `The ${HEADERS.flashImages} header`);
  for (const image of images) {
    try {
      checkDeclaredSize(image.size, limit);
    } catch (err) {
      throw new ApiError('payload_too_large', `'${image.name}': ${(err as ApiError).message}`, { flash_size: limit });
    }
  }
  const total = images.reduce((n, i) => n + i.size, 0);
  if (total > limit) throw new ApiError('payload_too_large', `These images add up to ${formatBytes(total)}, more than the board's ${formatBytes(limit)} flash.`, { flash_size: limit });
  if (length !== null && length !== total) {
    throw invalid(`The body is ${length} bytes but the ${HEADERS.flashImages} header's sizes add up to ${total}; send each image whole, in the header's order.`);
  }
  return images;
}

/**
 * Reads the whole body and cuts it into images. A client that goes away mid-upload (or sends more or less than it
 * declared) gets nothing flashed: this rejects, and no job starts.
 */
export async function readImages(req: IncomingMessage, images: FlashImagesHeader): Promise<ImageInput[]> {
  const total = images.reduce((n, i) => n + i.size, 0);
  const body = Buffer.allocUnsafe(total);
  let got = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (got + chunk.length > total) throw refuse(`The body is longer than the ${total} bytes the ${HEADERS.flashImages} header declares.`);
    chunk.copy(body, got);
    got += chunk.length;
  }
  if (got !== total || !req.complete) {
    throw refuse(`The upload stopped after ${got} of ${total} bytes; nothing was flashed. Send it again.`);
  }
  let at = 0;
  return images.map((i) => {
    const data = body.subarray(at, at + i.size);
    at += i.size;
    return { name: i.name, offset: i.offset, data };
  });
}
