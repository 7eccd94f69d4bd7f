// Byte streams into a joined host's own API server, over its tunnel: what the coordinator's clients of that host (its
// browsers there) use as their sockets. A stream stays registered until the host's `disconnect` for it has come (its
// last frame on the channel), so output the host sent before it heard of a close is not taken for strays.
import { ApiError } from '../../transport/protocol/errors.js';
import { FRAME } from '../../transport/tunnel/frames.js';
import { TunnelStream } from '../../transport/tunnel/tunnel-stream.js';
import type { HostLink } from './host-link.js';

export class HostStreams {
  private readonly open = new Map<number, TunnelStream>();

  constructor(private readonly link: HostLink) {
    link.on('data', (channel, _offset, bytes) => this.open.get(channel)?.arrive(bytes));
    link.on('message', (m) => {
      if (m.op === 'ack') return this.open.get(m.channel)?.acked(m.offset);
      if (m.op !== 'disconnect') return;
      this.link.channels.delete(m.channel);
      const stream = this.open.get(m.channel);
      this.open.delete(m.channel);
      stream?.remoteClosed();
    });
    link.once('closed', (why) => {
      for (const stream of this.open.values()) stream.remoteClosed(new ApiError('upstream_unavailable', `the tunnel to host '${link.host}' closed (${why})`));
      this.open.clear();
    });
  }

  /**
   * A new stream into the host's API server, or with `sandbox` to a port in the sandbox of that session there: usable
   * at once (its writes wait for the host's reply); a host that refuses it destroys it.
   */
  connect(sandbox?: { session: string; port: number }): TunnelStream {
    const link = this.link;
    const channel = link.channel();
    const stream = new TunnelStream(
      {
        send: (frame, done) => (link.open ? (link.ws.send(frame, done), true) : (done(new Error('the tunnel closed')), false)),
        get bufferedAmount() {
          return link.ws.bufferedAmount;
        },
        ack: (ch, offset) => link.send({ op: 'ack', channel: ch, offset }),
        disconnect: (ch) => link.send({ op: 'disconnect', channel: ch }),
      },
      FRAME.input,
      channel,
      { ready: false },
    );
    this.open.set(channel, stream);
    link.call({ op: 'connect', channel, ...(sandbox ? { sandbox } : {}) }).then(
      () => stream.ready(),
      (err: Error) => {
        this.open.delete(channel);
        link.channels.delete(channel);
        stream.remoteClosed(err);
      },
    );
    return stream;
  }
}
