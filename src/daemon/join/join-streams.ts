// A board host's side of its coordinator's byte streams (see tunnel-stream.ts): each is one connection into this
// host's own API server, where it speaks as the coordinator's account — how the coordinator runs browsers here.
import type { Duplex } from 'node:stream';
import { FRAME } from '../../transport/tunnel/frames.js';
import { TunnelStream } from '../../transport/tunnel/tunnel-stream.js';
import type { TunnelSender } from './channel-socket.js';
import type { ReplyBody } from './join-sessions.js';

/** Hands a connection to this host's API server for the coordinator's account. */
export type ServeStream = (stream: Duplex) => void;
/** A connection to a port inside the coordinator's sandbox of a session (see join-sandboxes.ts). */
export type OpenPort = (session: string, port: number) => Promise<Duplex>;

/** Streams open at once; past this a connect is refused (a coordinator keeps a few per browser). */
const MAX_STREAMS = 1024;

export class JoinStreams {
  private readonly streams = new Map<number, TunnelStream>();

  constructor(
    private readonly tunnel: TunnelSender,
    private readonly say: (message: unknown) => void,
    private readonly serve: ServeStream,
    private readonly openPort: OpenPort,
  ) {}

  /** A stream into this host's API server. */
  connect(channel: number): ReplyBody {
    const refused = this.refusal(channel);
    if (refused) return refused;
    this.serve(this.open(channel));
    return { ok: true };
  }

  /** A stream to a port inside the coordinator's sandbox of a session: answered once that port took the connection. */
  async connectPort(channel: number, sandbox: { session: string; port: number }): Promise<ReplyBody> {
    let socket: Duplex;
    try {
      const refused = this.refusal(channel);
      if (refused) return refused;
      socket = await this.openPort(sandbox.session, sandbox.port);
    } catch (err) {
      return { ok: false, code: 'upstream_unavailable', error: (err as Error).message };
    }
    const refused = this.refusal(channel); // opened meanwhile
    if (refused) {
      socket.destroy();
      return refused;
    }
    const stream = this.open(channel);
    socket.on('error', () => stream.destroy());
    stream.pipe(socket);
    socket.pipe(stream);
    stream.on('close', () => socket.destroy());
    socket.on('close', () => stream.end());
    return { ok: true };
  }

  private refusal(channel: number): ReplyBody | null {
    if (this.streams.has(channel)) return { ok: false, code: 'invalid_request', error: `channel ${channel} is open already` };
    if (this.streams.size >= MAX_STREAMS) return { ok: false, code: 'rate_limited', error: `this host has ${MAX_STREAMS} streams open for its coordinator` };
    return null;
  }

  private open(channel: number): TunnelStream {
    const tunnel = this.tunnel;
    const stream = new TunnelStream(
      {
        send: (frame, done) => tunnel.send(frame, done),
        get bufferedAmount() {
          return tunnel.bufferedAmount;
        },
        ack: (ch, offset) => this.say({ op: 'ack', channel: ch, offset }),
        disconnect: (ch) => this.say({ op: 'disconnect', channel: ch }),
      },
      FRAME.data,
      channel,
    );
    stream.on('error', () => undefined); // the server's own handlers see it; the tunnel is not at fault
    this.streams.set(channel, stream);
    return stream;
  }

  /** Input for a stream channel; false when the channel is not a stream (a session's, then). */
  input(channel: number, bytes: Buffer): boolean {
    const stream = this.streams.get(channel);
    if (!stream) return false;
    stream.arrive(bytes);
    return true;
  }

  /**
   * The coordinator's `ack` (it has read a stream up to an offset) or `disconnect` (its close, which the stream
   * answers, or its answer to this host's).
   */
  message(m: { op: 'ack'; channel: number; offset: number } | { op: 'disconnect'; channel: number }): void {
    const stream = this.streams.get(m.channel);
    if (m.op === 'ack') return stream?.acked(m.offset);
    this.streams.delete(m.channel);
    stream?.remoteClosed();
  }

  /** The tunnel dropped: every stream ends with it. */
  closeAll(): void {
    for (const stream of this.streams.values()) stream.remoteClosed(new Error('the tunnel to the coordinator dropped'));
    this.streams.clear();
  }
}
