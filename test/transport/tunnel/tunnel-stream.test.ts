// A byte stream carried by the host tunnel: HTTP (keep-alive, large bodies) and WebSockets run over a pair of them;
// the close handshake; a dropped tunnel; writers held back while the tunnel is full, and until the far end is ready.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { Agent, request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, FRAME } from '../../../src/transport/tunnel/frames.js';
import { TunnelStream, type StreamSink } from '../../../src/transport/tunnel/tunnel-stream.js';

interface End {
  stream: TunnelStream;
  /** Frames and disconnects this end sent, in order. */
  sent: Array<{ offset: number; bytes: number } | 'disconnect'>;
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
    disconnect() {
      me().sent.push('disconnect');
      setImmediate(() => other().stream.remoteClosed());
    },
  });
  ends.a = { stream: new TunnelStream(sink(() => ends.a!, () => ends.b!), FRAME.input, 7, options), sent: [] };
  ends.b = { stream: new TunnelStream(sink(() => ends.b!, () => ends.a!), FRAME.data, 7), sent: [] };
  return { a: ends.a, b: ends.b };
}

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
});
