// A byte stream carried by the host tunnel: HTTP (keep-alive, large bodies) and WebSockets run over a pair of them;
// the close handshake; a dropped tunnel; writers held back while the tunnel is full, and until the far end is ready.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, FRAME } from '../../../src/transport/tunnel/frames.js';
import { TunnelStream, WINDOW_BYTES, type StreamSink } from '../../../src/transport/tunnel/tunnel-stream.js';

interface End {
  stream: TunnelStream;
  /** Frames and disconnects this end sent, in order. */
  sent: Array<{ offset: number; bytes: number } | 'disconnect'>;
  /** The offsets this end acknowledged. */
  acks: number[];
}

/** Two ends of one channel, each delivering to the other on the next turn (as a tunnel does, in order). */
function pair(options: { ready?: boolean } = {}): { a: End; b: End } {
  const ends: { a?: End; b?: End } = {};
  const sink = (me: () => End, other: () => End): StreamSink => ({
    bufferedAmount: 0,
    send(frame, done) {
      const f = decodeFrame(frame) as { offset: number; bytes: Buffer };
      me().sent.push({ offset: f.offset, bytes: f.bytes.length });
      const bytes = Buffer.from(f.bytes);
      setImmediate(() => other().stream.arrive(bytes));
      setImmediate(done);
      return true;
    },
    ack(_channel, offset) {
      me().acks.push(offset);
      setImmediate(() => other().stream.acked(offset));
    },
    disconnect() {
      me().sent.push('disconnect');
      setImmediate(() => other().stream.remoteClosed());
    },
  });
  ends.a = { stream: new TunnelStream(sink(() => ends.a!, () => ends.b!), FRAME.input, 7, options), sent: [], acks: [] };
  ends.b = { stream: new TunnelStream(sink(() => ends.b!, () => ends.a!), FRAME.data, 7), sent: [], acks: [] };
  return { a: ends.a, b: ends.b };
}

/** One turn of the event loop (the pair delivers on the next turn). */
const turn = () => new Promise((r) => setImmediate(r));

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

describe('a tunnel stream', () => {
  it('carries HTTP with keep-alive (one stream, many requests, megabytes each way) and a WebSocket', async () => {
    server = createServer((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(Buffer.alloc(n, 'x')));
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(`echo ${m}`))));
    const streams: Array<{ a: End; b: End }> = [];
    const open = () => {
      const p = pair({ ready: false });
      streams.push(p);
      server!.emit('connection', p.b.stream);
      setImmediate(() => p.a.stream.ready());
      return p.a.stream;
    };
    const agent = new Agent({ connect: (_opts, cb) => void setImmediate(() => cb(null, open() as never)) });
    for (const size of [1, 65_536, 3 * 1024 * 1024 + 17, 5, 6, 7]) {
      const res = await request('http://joined.test/echo', { dispatcher: agent, method: 'POST', body: Buffer.alloc(size, 'y') });
      expect(res.statusCode).toBe(200);
      expect((await res.body.arrayBuffer()).byteLength).toBe(size);
    }
    // Kept alive: undici's pool opens a second connection while it settles the first request, and no more.
    expect(streams.length).toBeLessThanOrEqual(2);
    // Offsets count every byte sent: each frame starts where the one before it ended.
    const frames = streams[0]!.b.sent.filter((f) => f !== 'disconnect') as Array<{ offset: number; bytes: number }>;
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.offset).toBe(frames[i - 1]!.offset + frames[i - 1]!.bytes);

    const ws = new WebSocket('ws://joined.test/ws', { createConnection: () => open() as never });
    await once(ws, 'open');
    ws.send('hello');
    const [reply] = await once(ws, 'message');
    expect(String(reply)).toBe('echo hello');
    ws.close();
    await once(ws, 'close');
    await agent.close();
  });

  it('closes with one disconnect each way: the far end answers, then sends nothing more, and both ends close', async () => {
    const { a, b } = pair();
    const closed = Promise.all([once(a.stream, 'close'), once(b.stream, 'close')]);
    a.stream.write('before');
    a.stream.destroy();
    await closed;
    expect(a.sent.filter((f) => f === 'disconnect')).toHaveLength(1);
    expect(b.sent).toEqual(['disconnect']);
    // Nothing after its disconnect: a write is refused, not sent.
    const sent = a.sent.length;
    b.stream.arrive(Buffer.from('late'));
    expect(a.sent.length).toBe(sent);
  });

  it('closed at both ends at once: each says its disconnect once, neither answers the other', async () => {
    const { a, b } = pair();
    const closed = Promise.all([once(a.stream, 'close'), once(b.stream, 'close')]);
    a.stream.end();
    b.stream.end();
    a.stream.resume();
    b.stream.resume();
    await closed;
    expect(a.sent).toEqual(['disconnect']);
    expect(b.sent).toEqual(['disconnect']);
  });

  it('a dropped tunnel fails the stream with its reason and says nothing on it', async () => {
    const { a } = pair();
    const failed = once(a.stream, 'error');
    a.stream.remoteClosed(new Error('the tunnel closed'));
    const [err] = await failed;
    expect((err as Error).message).toBe('the tunnel closed');
    expect(a.sent).toEqual([]);
  });

  it('holds its writer while the tunnel has more than 1 MiB unsent, until its frame has left', async () => {
    const leave: Array<() => void> = [];
    let buffered = 0;
    const stream = new TunnelStream(
      {
        get bufferedAmount() {
          return buffered;
        },
        send: (_frame, done) => (leave.push(() => done()), true),
        ack: () => undefined,
        disconnect: () => undefined,
      },
      FRAME.data,
      1,
    );
    let written = 0;
    stream.write(Buffer.alloc(10), () => written++);
    await new Promise((r) => setImmediate(r));
    expect(written).toBe(1); // below the mark: at once
    buffered = 2 * 1024 * 1024;
    stream.write(Buffer.alloc(10), () => written++);
    await new Promise((r) => setImmediate(r));
    expect(written).toBe(1);
    leave[1]!();
    await new Promise((r) => setImmediate(r));
    expect(written).toBe(2);
  });

  it('sends nothing before the far end is ready, then everything in order', async () => {
    const { a, b } = pair({ ready: false });
    const got: Buffer[] = [];
    b.stream.on('data', (c: Buffer) => got.push(c));
    a.stream.write('one,');
    a.stream.write('two');
    await new Promise((r) => setImmediate(r));
    expect(a.sent).toEqual([]);
    a.stream.ready();
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(got).toString()).toBe('one,two');
  });

  it("holds a writer whose reader does not read at its window, and carries every byte, in order, once it reads", async () => {
    const { a, b } = pair();
    const total = 20 * 1024 * 1024;
    const data = Buffer.alloc(total);
    for (let i = 0; i < total; i += 4) data.writeUInt32BE(i, i);
    let done = false;
    a.stream.write(data, () => (done = true));
    // b does not read: a sends up to its window, and no further (however many turns of the loop go by).
    const sent = () => a.sent.reduce((n, f) => n + (f === 'disconnect' ? 0 : f.bytes), 0);
    while (b.stream.readableLength < WINDOW_BYTES) await turn();
    for (let i = 0; i < 20; i++) await turn();
    expect(done).toBe(false);
    expect(sent()).toBeGreaterThanOrEqual(WINDOW_BYTES);
    expect(sent()).toBeLessThanOrEqual(WINDOW_BYTES + 256 * 1024);
    expect(b.stream.readableLength).toBe(sent());
    // Now it reads: everything arrives, exactly, and the acks are few (one a MiB).
    const got: Buffer[] = [];
    let bytes = 0;
    await new Promise<void>((resolve) =>
      b.stream.on('data', (c: Buffer) => {
        got.push(c);
        if ((bytes += c.length) === total) resolve();
      }),
    );
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(done).toBe(true);
    expect(b.acks.length).toBeLessThanOrEqual(total / (1024 * 1024));
    expect(b.acks).toEqual([...b.acks].sort((x, y) => x - y));
  });

  it('fails a stream whose far end sends past the window it was given', async () => {
    const { b } = pair();
    const failed = new Promise<Error>((resolve) => b.stream.once('error', resolve));
    for (let i = 0; i < 20; i++) b.stream.arrive(Buffer.alloc(256 * 1024));
    expect((await failed).message).toMatch(/sent past the 4194304-byte window of stream 7/);
  });
});
