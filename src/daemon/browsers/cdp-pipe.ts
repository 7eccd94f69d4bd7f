// Chromium's --remote-debugging-pipe framing: JSON messages separated by NUL bytes, read on fd 4, written on fd 3.
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { CdpStream } from './cdp-stream.js';

/** Only Chromium writes here; a message this large means something is badly wrong, not a big screenshot. */
export const MAX_PIPE_MESSAGE_BYTES = 512 * 1024 * 1024;

export interface PipeEvents {
  /** One whole message; the buffer is the caller's to keep or modify. */
  message: [Buffer];
  close: [];
}

export class CdpPipe extends EventEmitter<PipeEvents> implements CdpStream {
  private chunks: Buffer[] = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly input: Writable,
    private readonly output: Readable,
  ) {
    super();
    output.on('data', (chunk: Buffer) => this.onData(chunk));
    const close = () => this.close();
    output.on('end', close);
    output.on('close', close);
    output.on('error', close);
    input.on('error', close);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes one message made of parts (no copy); false means the pipe is full: wait for 'drain' on writable(). */
  send(...parts: Buffer[]): boolean {
    if (this.closed) return true;
    const w = this.input;
    if (parts.length === 1) {
      w.write(parts[0]);
      return w.write(NUL);
    }
    w.cork();
    for (const part of parts) w.write(part);
    const ok = w.write(NUL);
    w.uncork();
    return ok;
  }

  get writable(): Writable {
    return this.input;
  }

  /** Calls `fn` once the pipe can take more after send() returned false. */
  onDrain(fn: () => void): void {
    this.input.once('drain', fn);
  }

  /** Stops reading (back-pressure from a slow client) until resume(). */
  pause(): void {
    this.output.pause();
  }

  resume(): void {
    this.output.resume();
  }

  /** Closing Chromium's end of the pipe makes it exit by itself. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.destroy();
    this.output.destroy();
    this.emit('close');
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0, start);
      if (end < 0) break;
      const tail = chunk.subarray(start, end);
      const message = this.chunks.length === 0 ? tail : Buffer.concat([...this.chunks, tail], this.size + tail.length);
      this.chunks = [];
      this.size = 0;
      start = end + 1;
      this.emit('message', message);
      if (this.closed) return;
    }
    if (start < chunk.length) {
      this.chunks.push(chunk.subarray(start));
      this.size += chunk.length - start;
      if (this.size > MAX_PIPE_MESSAGE_BYTES) this.close();
    }
  }
}

const NUL = Buffer.from([0]);
