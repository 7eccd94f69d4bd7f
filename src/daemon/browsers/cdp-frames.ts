// CDP messages as bytes: what the proxy needs to read or change in a frame without parsing a multi-MB screenshot.
//
// Chromium serializes `sessionId` as the last member of a message and `id` as the first of a response; the proxy
// reads those two by looking at the ends of the buffer and falls back to a full parse when the shape differs.

/** Client request ids must stay below this; the daemon's own requests use ids from here up, so replies never mix. */
export const CLIENT_ID_LIMIT = 2 ** 30;
const MAX_METHOD_LENGTH = 256;

const TAIL = /,\s*"sessionId"\s*:\s*"([^"\\]{1,128})"\s*\}\s*$/;
const HEAD_ID = /^\{\s*"id"\s*:\s*(\d{1,16})\s*,/;

/** The top-level sessionId of a message from Chromium and the offset of its `,` — or null for a browser-level one. */
export function sessionAtTail(message: Buffer): { sessionId: string; at: number } | null {
  const from = Math.max(0, message.length - 180);
  const tail = message.toString('latin1', from);
  const m = TAIL.exec(tail);
  if (m) return { sessionId: m[1]!, at: from + m.index };
  // Anything but `}` at the end means a shape we do not know: parse to be sure.
  if (!tail.trimEnd().endsWith('}') || !tail.includes('"sessionId"')) return null;
  const parsed = tryParse(message);
  return parsed && typeof parsed.sessionId === 'string' ? { sessionId: parsed.sessionId, at: -1 } : null;
}

/** Removes the top-level sessionId found by sessionAtTail, in place where it can (the buffer is the caller's). */
export function stripSession(message: Buffer, found: { sessionId: string; at: number }): Buffer {
  if (found.at >= 0) {
    message[found.at] = 0x7d; // '}'
    return message.subarray(0, found.at + 1);
  }
  const parsed = tryParse(message)!;
  delete parsed.sessionId;
  return Buffer.from(JSON.stringify(parsed));
}

/** The id of a response, read from its head; null for events (and for anything that does not start with an id). */
export function idAtHead(message: Buffer): number | null {
  const m = HEAD_ID.exec(message.toString('latin1', 0, Math.min(message.length, 40)));
  return m ? Number(m[1]) : null;
}

export type ClientFrame =
  | { ok: true; id: number; method: string; sessionId: string | null }
  | { ok: false; id: number | null; code: number; message: string };

/** Checks a frame from a CDP client: JSON object, integer id under `idLimit`, method, optional params/sessionId. */
export function parseClientFrame(data: Buffer, idLimit = CLIENT_ID_LIMIT): ClientFrame {
  const value = tryParse(data);
  if (!value) return { ok: false, id: null, code: -32700, message: 'Message must be a JSON object.' };
  const id = Number.isSafeInteger(value.id) && (value.id as number) >= 0 && (value.id as number) < idLimit ? (value.id as number) : null;
  const fail = (message: string) => ({ ok: false as const, id, code: -32600, message });
  if (id === null) return fail(`Message must have an integer 'id' from 0 to ${idLimit - 1}.`);
  if (typeof value.method !== 'string' || value.method.length === 0 || value.method.length > MAX_METHOD_LENGTH) {
    return fail("Message must have a string 'method'.");
  }
  if (value.params !== undefined && (typeof value.params !== 'object' || value.params === null || Array.isArray(value.params))) {
    return fail("'params' must be an object.");
  }
  if (value.sessionId !== undefined && typeof value.sessionId !== 'string') return fail("'sessionId' must be a string.");
  return { ok: true, id, method: value.method, sessionId: (value.sessionId as string | undefined) ?? null };
}

/** The message with `"sessionId":"…"` added as its last member, as parts to write without copying the message. */
export function withSession(message: Buffer, sessionId: string): Buffer[] {
  let end = message.length - 1;
  while (end > 0 && message[end] !== 0x7d) end--;
  return [message.subarray(0, end), Buffer.from(`,"sessionId":${JSON.stringify(sessionId)}}`)];
}

/** A CDP error reply, as Chromium would send it. */
export function cdpError(id: number | null, code: number, message: string, sessionId?: string | null): Buffer {
  return Buffer.from(JSON.stringify({ ...(id === null ? {} : { id }), error: { code, message }, ...(sessionId ? { sessionId } : {}) }));
}

export function cdpResult(id: number, result: unknown, sessionId?: string | null): Buffer {
  return Buffer.from(JSON.stringify({ id, result, ...(sessionId ? { sessionId } : {}) }));
}

function tryParse(data: Buffer): Record<string, unknown> | null {
  try {
    const value = JSON.parse(data.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
