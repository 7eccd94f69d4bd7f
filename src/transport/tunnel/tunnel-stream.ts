// One byte stream carried by the host tunnel: a connection to the host's own API server (HTTP, and the WebSockets it
// upgrades to), as a Duplex that an HTTP server, undici or ws can use as their socket. Bytes go out as stream frames
// with offsets. Either end closes it with a `disconnect` message, which the other end answers with its own: each
// end's disconnect is the last it sends on the channel, and a stream is closed once both have been said.
import { Duplex } from 'node:stream';
import { MAX_CHUNK_BYTES, streamFrame, type StreamType } from './frames.js';

/** What a stream sends through: the tunnel's connection now (false: it is down, and the frame was dropped). */
export interface StreamSink {
  send(frame: Buffer, done: (err?: Error) => void): boolean;
  readonly bufferedAmount: number;
  /** Tells the other end this end has closed the stream (sent once, as its last message on the channel). */
  disconnect(channel: number): void;
}

/** While the tunnel holds more than this unsent, a stream's writer waits for its frames to leave. */
const HIGH_WATER_BYTES = 1024 * 1024;

export class TunnelStream extends Duplex {
  private sentBytes = 0;
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

  /** Bytes from the other end. */
  arrive(bytes: Buffer): void {
    if (!this.destroyed) this.push(bytes);
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

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.held) return void this.held.push(() => this._write(chunk, _encoding, cb));
    if (this.said) return cb(new Error('the stream is closed'));
    let last: Buffer | null = null;
    for (let at = 0; at < chunk.length; at += MAX_CHUNK_BYTES) {
      last = streamFrame(this.type, this.channel, this.sentBytes, chunk.subarray(at, at + MAX_CHUNK_BYTES));
      this.sentBytes += Math.min(MAX_CHUNK_BYTES, chunk.length - at);
      if (at + MAX_CHUNK_BYTES < chunk.length && !this.sink.send(last, () => undefined)) return cb(new Error('the tunnel is down'));
    }
    if (!last) return cb();
    // Below the mark the writer goes on at once; above it, it waits until its last frame has left.
    const waits = this.sink.bufferedAmount > HIGH_WATER_BYTES;
    if (waits) return void this.sink.send(last, (err) => cb(err));
    cb(this.sink.send(last, () => undefined) ? null : new Error('the tunnel is down'));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.say();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.held = null;
    this.say();
    cb(err);
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
