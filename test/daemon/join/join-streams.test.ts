// A host's side of its coordinator's streams: each connect hands one stream to its API server; a channel opened
// twice, or past the bound, is refused with a reason; input and disconnects reach only the streams they name.
import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { Duplex, PassThrough } from 'node:stream';
import { JoinStreams } from '../../../src/daemon/join/join-streams.js';
import { decodeFrame } from '../../../src/transport/tunnel/frames.js';

/** Two connected ends, as a socket and its peer. */
function duplexPair(): [Duplex, Duplex] {
  const ab = new PassThrough();
  const ba = new PassThrough();
  const end = (readable: PassThrough, writable: PassThrough) => Duplex.from({ readable, writable });
  return [end(ba, ab), end(ab, ba)];
}

function harness() {
  const frames: Buffer[] = [];
  const said: unknown[] = [];
  const served: Duplex[] = [];
  const tunnel = { bufferedAmount: 0, send: (frame: Buffer, done?: (err?: Error) => void) => (frames.push(frame), done?.(), true) };
  const ports: Array<{ session: string; port: number; far: Duplex }> = [];
  const openPort = async (session: string, port: number) => {
    if (session === 'ses_gone') throw new Error(`this host runs no sandbox for session ${session}`);
    const [near, far] = duplexPair();
    ports.push({ session, port, far });
    return near;
  };
  const streams = new JoinStreams(tunnel, (m) => said.push(m), (s) => served.push(s), openPort);
  return { streams, frames, said, served, ports };
}

describe("a host's streams for its coordinator", () => {
  it('serve each connect, carry its bytes both ways, and answer the close with a disconnect', async () => {
    const h = harness();
    expect(h.streams.connect(4)).toEqual({ ok: true });
    const stream = h.served[0]!;
    const got: Buffer[] = [];
    stream.on('data', (c: Buffer) => got.push(c));
    expect(h.streams.input(4, Buffer.from('GET / HTTP/1.1\r\n'))).toBe(true);
    expect(h.streams.input(5, Buffer.from('not a stream'))).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(got).toString()).toBe('GET / HTTP/1.1\r\n');
    stream.write('HTTP/1.1 200 OK\r\n');
    const f = decodeFrame(h.frames[0]!) as { channel: number; offset: number; bytes: Buffer };
    expect([f.channel, f.offset, f.bytes.toString()]).toEqual([4, 0, 'HTTP/1.1 200 OK\r\n']);
    const closed = once(stream, 'close');
    h.streams.message({ op: 'disconnect', channel: 4 });
    await closed;
    expect(h.said).toEqual([{ op: 'disconnect', channel: 4 }]);
    h.streams.message({ op: 'disconnect', channel: 4 }); // again, or for a channel never opened: nothing
    expect(h.said).toHaveLength(1);
  });

  it('refuse a channel opened twice and more than 1,024 at once', () => {
    const h = harness();
    expect(h.streams.connect(1)).toEqual({ ok: true });
    expect(h.streams.connect(1)).toEqual({ ok: false, code: 'invalid_request', error: 'channel 1 is open already' });
    for (let ch = 2; ch <= 1024; ch++) expect(h.streams.connect(ch)).toEqual({ ok: true });
    expect(h.streams.connect(2000)).toMatchObject({ ok: false, code: 'rate_limited' });
    expect(h.served).toHaveLength(1024);
  });

  it('end every stream when the tunnel drops, saying nothing on it', async () => {
    const h = harness();
    h.streams.connect(1);
    const stream = h.served[0]!;
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    const closed = new Promise((resolve) => stream.once('close', resolve));
    h.streams.closeAll();
    expect((await failed).message).toBe('the tunnel to the coordinator dropped');
    await closed;
    expect(h.said).toEqual([]);
    expect(h.streams.input(1, Buffer.from('x'))).toBe(false);
  });

  it("connect a channel to a port in a sandbox: bytes both ways, the app's close closes the channel", async () => {
    const h = harness();
    expect(await h.streams.connectPort(7, { session: 'ses_abc', port: 3000 })).toEqual({ ok: true });
    expect(h.served).toHaveLength(0); // not the API server's
    const { session, port, far } = h.ports[0]!;
    expect([session, port]).toEqual(['ses_abc', 3000]);
    const got: Buffer[] = [];
    far.on('data', (c: Buffer) => got.push(c));
    expect(h.streams.input(7, Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(got).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    far.end('HTTP/1.1 200 OK\r\n\r\nhi');
    await new Promise((r) => setImmediate(r));
    const f = decodeFrame(h.frames[0]!) as { channel: number; bytes: Buffer };
    expect([f.channel, f.bytes.toString()]).toEqual([7, 'HTTP/1.1 200 OK\r\n\r\nhi']);
    expect(h.said).toContainEqual({ op: 'disconnect', channel: 7 });
  });

  it('refuse a port connect for a sandbox the host does not run, with its reason, and a channel open already', async () => {
    const h = harness();
    expect(await h.streams.connectPort(1, { session: 'ses_gone', port: 3000 })).toEqual({
      ok: false,
      code: 'upstream_unavailable',
      error: 'this host runs no sandbox for session ses_gone',
    });
    expect(h.streams.input(1, Buffer.from('x'))).toBe(false);
    h.streams.connect(2);
    expect(await h.streams.connectPort(2, { session: 'ses_abc', port: 3000 })).toMatchObject({ ok: false, code: 'invalid_request' });
  });
});
