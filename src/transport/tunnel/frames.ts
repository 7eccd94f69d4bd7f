// The host tunnel's frames: one binary WebSocket message each, a leading type byte and a channel id (docs/architecture.md, "The host tunnel's framing").

export const FRAME = {
  /** Channel 0: a JSON control message (a request, its reply, a registration, an event). */
  control: 0x01,
  /** Host → coordinator: board output of a session's channel, starting at a byte offset. */
  data: 0x02,
  /** Coordinator → host: client input for a session's channel, starting at an input byte offset. */
  input: 0x03,
  /** Host → coordinator: a JSON message for the session's serial clients (`gap`, `error`, `flash`). */
  text: 0x04,
  /** Both ways, on a timer: the sender's clock; each side records the last one it heard. */
  heartbeat: 0x05,
  /** Coordinator → host: bytes of a flash upload on a channel of its own, starting at a byte offset (see upload.ts). */
  upload: 0x06,
} as const;

export type FrameType = (typeof FRAME)[keyof typeof FRAME];
/** The frames that carry bytes at an offset. */
export type StreamType = typeof FRAME.data | typeof FRAME.input | typeof FRAME.upload;

const TYPES = new Set<number>(Object.values(FRAME));
/** Type byte and channel id. */
export const HEADER_BYTES = 5;
/** Data and input frames carry a 64-bit offset (sent as two 32-bit halves: offsets stay below 2^53). */
export const OFFSET_BYTES = 8;
/** The largest frame either side accepts (a larger one closes the tunnel: ws enforces it before parsing). */
export const MAX_FRAME_BYTES = 1024 * 1024 + HEADER_BYTES + OFFSET_BYTES;
/** A board's output is cut into frames of at most this many bytes. */
export const MAX_CHUNK_BYTES = 256 * 1024;

export type Frame =
  | { type: typeof FRAME.control; channel: 0; json: unknown }
  | { type: StreamType; channel: number; offset: number; bytes: Buffer }
  | { type: typeof FRAME.text; channel: number; json: unknown }
  | { type: typeof FRAME.heartbeat; channel: 0; at: number };

/** A frame that does not follow the framing: the sender is told why and the tunnel is closed. */
export class FrameError extends Error {}

function header(type: FrameType, channel: number, extra: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + extra);
  buf[0] = type;
  buf.writeUInt32BE(channel, 1);
  return buf;
}

function writeOffset(buf: Buffer, at: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(offset / 2 ** 32), at);
  buf.writeUInt32BE(offset >>> 0, at + 4);
}

export function controlFrame(message: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(message), 'utf8');
  const buf = header(FRAME.control, 0, json.length);
  json.copy(buf, HEADER_BYTES);
  return buf;
}

export function textFrame(channel: number, message: unknown): Buffer {
  const json = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8');
  const buf = header(FRAME.text, channel, json.length);
  json.copy(buf, HEADER_BYTES);
  return buf;
}

/** Bytes of a channel's stream from `offset` on (one copy: header and bytes in one message). */
export function streamFrame(type: StreamType, channel: number, offset: number, bytes: Uint8Array): Buffer {
  const buf = header(type, channel, OFFSET_BYTES + bytes.length);
  writeOffset(buf, HEADER_BYTES, offset);
  buf.set(bytes, HEADER_BYTES + OFFSET_BYTES);
  return buf;
}

export function heartbeatFrame(at: number): Buffer {
  const buf = header(FRAME.heartbeat, 0, OFFSET_BYTES);
  writeOffset(buf, HEADER_BYTES, at);
  return buf;
}

function json(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new FrameError(`a ${what} frame's body is not JSON`);
  }
}

/** Reads one frame; throws a FrameError that says what is wrong with it. Stream bytes are a view, not a copy. */
export function decodeFrame(frame: Buffer): Frame {
  if (frame.length < HEADER_BYTES) throw new FrameError(`a frame of ${frame.length} bytes is shorter than its ${HEADER_BYTES}-byte header`);
  const type = frame[0]!;
  if (!TYPES.has(type)) throw new FrameError(`unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
  const channel = frame.readUInt32BE(1);
  const body = frame.subarray(HEADER_BYTES);
  if (type === FRAME.control || type === FRAME.heartbeat) {
    if (channel !== 0) throw new FrameError(`a ${type === FRAME.control ? 'control' : 'heartbeat'} frame on channel ${channel} (they belong on channel 0)`);
  } else if (channel === 0) throw new FrameError('a stream frame on channel 0 (channel 0 is the tunnel itself)');
  if (type === FRAME.control) return { type, channel: 0, json: json(body, 'control') };
  if (type === FRAME.text) return { type, channel, json: json(body, 'text') };
  if (body.length < OFFSET_BYTES) throw new FrameError(`a frame of type 0x0${type} without its ${OFFSET_BYTES}-byte offset`);
  const offset = body.readUInt32BE(0) * 2 ** 32 + body.readUInt32BE(4);
  if (!Number.isSafeInteger(offset)) throw new FrameError(`offset ${offset} is past 2^53`);
  if (type === FRAME.heartbeat) {
    if (body.length !== OFFSET_BYTES) throw new FrameError('a heartbeat frame with bytes after its time');
    return { type, channel: 0, at: offset };
  }
  return { type: type as StreamType, channel, offset, bytes: body.subarray(OFFSET_BYTES) };
}
