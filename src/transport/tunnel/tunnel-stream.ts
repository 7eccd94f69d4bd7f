// One byte stream carried by the host tunnel: a connection to the host's own API server (HTTP, and the WebSockets it
// upgrades to), as a Duplex that an HTTP server, undici or ws can use as their socket. Bytes go out as stream frames
// with offsets. Either end closes it with a `disconnect` message, which the other end answers with its own: each
// end's disconnect is the last it sends on the channel, and a stream is closed once both have been said.
//
// Flow control is a window per stream: a sender has at most WINDOW_BYTES that its reader has not taken yet; the reader
// says how far it has read with `ack` messages, so one slow reader (a client downloading an artifact slowly) holds
// back its own stream only, never the tunnel, and neither end buffers more than the window for it.
import { Duplex } from 'node:stream';
import { MAX_CHUNK_BYTES, streamFrame, type StreamType } from './frames.js';

/** What a stream sends through: the tunnel's connection now (false: it is down, and the frame was dropped). */
export interface StreamSink {
  send(frame: Buffer, done: (err?: Error) => void): boolean;
  readonly bufferedAmount: number;
  /** Tells the other end this end has read its bytes up to `offset`. */
  ack(channel: number, offset: number): void;
  /** Tells the other end this end has closed the stream (sent once, as its last message on the channel). */
  disconnect(channel: number): void;
}

/** While the tunnel holds more than this unsent, a stream's writer waits for its frames to leave. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** Bytes a sender may have sent that its reader has not taken. */
export const WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * A reader says how far it has read once it is this far past its last ack. A sender held by the window has at least
 * three quarters of it unread at the reader, whose reading them crosses this mark: acks are rare, and never missing.
 */
const ACK_EVERY_BYTES = WINDOW_BYTES / 4;
/** What a reader may hold unread: the window, and the one frame a sender may start just inside it. */
const MAX_UNREAD_BYTES = WINDOW_BYTES + MAX_CHUNK_BYTES;

export class TunnelStream extends Duplex {
  private sentBytes = 0;
  /** How far the other end has read what this end sent. */
  private ackedBytes = 0;
  private arrivedBytes = 0;
  /** How far this end has told the other end it has read. */
  private ackedOut = 0;
  /** A write waiting for the other end to read (the window is full). */
  private windowWait: (() => void) | null = null;
  private said = false;
  /** Writes held until the other end has its side ready (a coordinator's stream, before the host's reply). */
  private held: Array<() => void> | null;
  // What a net.Socket has and HTTP servers and clients read.
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly encrypted = false;

  constructor(
    private readonly sink: StreamSink,
    private readonly type: StreamType,
    readonly channel: number,
    { ready = true }: { ready?: boolean } = {},
  ) {
    super({ allowHalfOpen: false });
    this.held = ready ? null : [];
  }

  /** The other end has its side: held writes go out. */
  ready(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const go of held) go();
  }

  /** Bytes from the other end; one that sends past the window it was given fails the stream. */
  arrive(bytes: Buffer): void {
    if (this.destroyed) return;
    if (this.readableLength + bytes.length > MAX_UNREAD_BYTES) return void this.destroy(new Error(`the far end sent past the ${WINDOW_BYTES}-byte window of stream ${this.channel}`));
    this.arrivedBytes += bytes.length;
    if (this.push(bytes)) this.maybeAck();
  }

  /** The other end has read up to `offset`: a write held by the window goes on. */
  acked(offset: number): void {
    if (offset <= this.ackedBytes || offset > this.sentBytes) return;
    this.ackedBytes = offset;
    if (this.windowWait && this.sentBytes - this.ackedBytes <= WINDOW_BYTES) {
      const go = this.windowWait;
      this.windowWait = null;
      go();
    }
  }

  /**
   * The other end's disconnect came (an answer to this end's, or its own close, which is answered), or the tunnel
   * went (`err`): reading ends, nothing more is sent, and the stream is closed.
   */
  remoteClosed(err?: Error): void {
    if (!this.said && !err) this.sink.disconnect(this.channel);
    this.said = true;
    if (this.destroyed) return;
    if (err) return void this.destroy(err);
    this.push(null);
    this.destroy();
  }

  override _read(): void {
    this.maybeAck();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.held) return void this.held.push(() => this._write(chunk, _encoding, cb));
    if (this.said) return cb(new Error('the stream is closed'));
    this.sendFrom(chunk, 0, cb);
  }

  /** Sends `chunk` from `at` a frame at a time: while the window is full it waits for the reader; above the tunnel's
   *  mark, for its last frame to leave. */
  private sendFrom(chunk: Buffer, at: number, cb: (err?: Error | null) => void): void {
    while (at < chunk.length) {
      if (this.said) return cb(new Error('the stream is closed'));
      if (this.sentBytes - this.ackedBytes >= WINDOW_BYTES) return void (this.windowWait = () => this.sendFrom(chunk, at, cb));
      const piece = chunk.subarray(at, at + MAX_CHUNK_BYTES);
      const frame = streamFrame(this.type, this.channel, this.sentBytes, piece);
      this.sentBytes += piece.length;
      at += piece.length;
      if (at >= chunk.length && this.sink.bufferedAmount > HIGH_WATER_BYTES) return void this.sink.send(frame, (err) => cb(err));
      if (!this.sink.send(frame, () => undefined)) return cb(new Error('the tunnel is down'));
    }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.say();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.held = null;
    this.windowWait = null;
    this.say();
    cb(err);
  }

  /** How far this end's reader has taken what arrived (what is still buffered is not read). */
  private read_(): number {
    return this.arrivedBytes - this.readableLength;
  }

  /** Tells the other end how far this end has read, once that is far enough past the last time. */
  private maybeAck(): void {
    if (this.said || this.destroyed) return;
    const read = this.read_();
    if (read - this.ackedOut >= ACK_EVERY_BYTES) {
      this.ackedOut = read;
      this.sink.ack(this.channel, read);
    }
  }

  private say(): void {
    if (this.said) return;
    this.said = true;
    this.sink.disconnect(this.channel);
  }

  // net.Socket's tuning calls, which mean nothing on a tunnel channel.
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  destroySoon(): void {
    this.end(() => this.destroy());
  }
}
