// A flash upload from the page as `fbay flash` sends it: the files end to end as application/octet-stream (the
// browser streams them from disk), described by the fbay-flash-images header; an offset left empty is null, which
// the daemon turns into where the image's kind belongs (an app at 0x10000), as the CLI does.
import type { FlashJob } from '../../transport/protocol/flash-api.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { api, ApiFailure, request } from '../api.js';
import { bytes } from '../lib/format.js';
import { imagesHeader, overLimit, parseOffset } from './flash-images.js';

/** What `fbay flash` writes at once the ROM answers, unless --baud says otherwise. */
export const DEFAULT_FLASH_BAUD = 460800;

export interface PickedImage {
  file: File;
  /** As typed: `0x10000`, `65536`, or empty for "by its kind". */
  offset: string;
}

export interface FlashChoices {
  verify: boolean;
  eraseAll: boolean;
  force: boolean;
}

/**
 * Uploads the images and resolves with the started job. Images the page already knows are too big are not sent:
 * only their description goes, so the daemon refuses them (413, its own sentence) without a byte of them read.
 */
export async function startFlash(sessionId: string, picked: readonly PickedImage[], choices: FlashChoices, limit: number | null): Promise<FlashJob> {
  const images = picked.map((p, n) => {
    const offset = parseOffset(p.offset);
    if (offset === undefined) throw new ApiFailure(400, 'invalid_request', `The offset of '${p.file.name}' (image ${n + 1}) must be a number such as 0x10000 or 65536, or empty for where its kind belongs; got '${p.offset.trim()}'.`);
    return { name: p.file.name, size: p.file.size, offset };
  });
  const path = `/v1/sessions/${encodeURIComponent(sessionId)}/flash?${new URLSearchParams({
    verify: choices.verify ? '1' : '0',
    erase_all: choices.eraseAll ? '1' : '0',
    force: choices.force ? '1' : '0',
    baud: String(DEFAULT_FLASH_BAUD),
  })}`;
  const headers = { 'content-type': 'application/octet-stream', [HEADERS.flashImages]: imagesHeader(images) };
  if (overLimit(images.map((i) => i.size), limit)) {
    try {
      await request('POST', path, new Blob([]), headers);
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 413) throw err;
    }
    const total = images.reduce((n, i) => n + i.size, 0);
    throw new ApiFailure(413, 'payload_too_large', `These images add up to ${bytes(total)}, more than the board's ${bytes(limit!)} flash; nothing was sent.`);
  }
  const res = await request('POST', path, new Blob(picked.map((p) => p.file)), headers);
  return (await res.json()) as FlashJob;
}

/** The session's latest flash job, or null when it was never flashed. */
export async function latestFlash(sessionId: string): Promise<FlashJob | null> {
  try {
    return await api<FlashJob>('GET', `/v1/sessions/${encodeURIComponent(sessionId)}/flash`);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return null;
    throw err;
  }
}
