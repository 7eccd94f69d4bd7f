// A flash upload over the tunnel: the bytes cut into upload frames on a channel of their own, with only a window of
// them handed to the socket and not yet written at once, so a 16 MiB image is never one message nor queued whole,
// and the tunnel's other channels get their turn between the chunks; the far end puts them back in order.
import { FRAME, MAX_CHUNK_BYTES, streamFrame } from './frames.js';

/** Where the frames go: the callback says the frame is written (or why it never will be). */
export interface FrameSink {
  send(frame: Buffer, done: (err?: Error) => void): void;
}

/** Bytes handed to the socket and not yet written, at most: TCP's own flow control then paces the sender. */
export const UPLOAD_WINDOW_BYTES = 4 * MAX_CHUNK_BYTES;

/** Sends `bytes` as upload frames on `channel`; resolves once every frame is written, rejects on the first that fails. */
export function sendUpload(sink: FrameSink, channel: number, bytes: Uint8Array, options: { window?: number; chunk?: number } = {}): Promise<void> {
  const window = options.window ?? UPLOAD_WINDOW_BYTES;
  const chunk = options.chunk ?? MAX_CHUNK_BYTES;
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let failed = false;
    const pump = () => {
      while (!failed && next < bytes.length && inFlight < window) {
        const piece = bytes.subarray(next, next + chunk);
        const frame = streamFrame(FRAME.upload, channel, next, piece);
        next += piece.length;
        inFlight += piece.length;
        sink.send(frame, (err) => {
          if (failed) return;
          if (err) {
            failed = true;
            return reject(err);
          }
          inFlight -= piece.length;
          if (next >= bytes.length && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    if (bytes.length === 0) return resolve();
    pump();
  });
}

/** One upload as it arrives: pieces must come in order (one WebSocket keeps them so) and fill exactly `size` bytes. */
export class UploadAssembly {
  readonly bytes: Buffer;
  #received = 0;

  constructor(readonly size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  get received(): number {
    return this.#received;
  }

  get complete(): boolean {
    return this.#received === this.size;
  }

  /** Takes the next piece; a sentence when it is not the next one or runs past the size (the upload is then spoilt). */
  take(offset: number, piece: Uint8Array): string | null {
    if (offset !== this.#received) return `upload bytes at offset ${offset} when ${this.#received} were expected next`;
    if (offset + piece.length > this.size) return `upload bytes up to ${offset + piece.length}, past its ${this.size} bytes`;
    this.bytes.set(piece, offset);
    this.#received += piece.length;
    return null;
  }
}
