// The host tunnel's door and its bounds, with real daemons: which key opens it, and what a host that sends garbage
// or floods gets (closed with a reason) while the coordinator goes on serving everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import WebSocket from 'ws';
import { readUntil } from '../../helpers/daemon-process.js';
import { coordinated, joinedAll, type Coordinated } from '../../helpers/joined-hosts.js';
import { controlFrame, decodeFrame, FRAME, streamFrame } from '../../../src/transport/tunnel/frames.js';
import { recordFrames } from '../../helpers/daemon-process.js';

let t: Coordinated;
let rogueKey: string;

beforeAll(async () => {
  t = await coordinated();
  rogueKey = (await t.coord.api('POST', '/v1/keys', { name: 'rogue', kind: 'host' })).body.key;
  await joinedAll(t);
}, 30_000);
afterAll(() => t.close());

/** A raw tunnel with `key`, straight to the coordinator. */
async function tunnel(key: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${t.coord.port}/v1/hosts/connect`, { headers: { authorization: `Bearer ${key}` } });
  await once(ws, 'open');
  return ws;
}

/** How the coordinator closed a tunnel: its code and reason. */
async function closing(ws: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

const hello = { op: 'hello', version: 'test', boards: [], sessions: [] };

/** The coordinator still serves: the joined host's board still echoes for a client. */
async function stillServing(): Promise<void> {
  const s = (await t.tcp('POST', '/v1/sessions', { board_type: 'virtual' })).body;
  expect(s.state).toBe('idle');
  const ws = await t.serial(s.id);
  ws.send(Buffer.from('echo still-here\r'));
  await readUntil(ws, (text) => text.includes('still-here\r\n'));
  ws.close();
  await t.tcp('DELETE', `/v1/sessions/${s.id}`);
}

describe('keys at the tunnel', () => {
  it('refuses a host key used as a user key, with a sentence naming the host and what to use instead', async () => {
    const h = t.hosts[0]!;
    for (const [method, path] of [['POST', '/v1/sessions'], ['GET', '/v1/boards'], ['GET', '/v1/auth/me']] as const) {
      const r = await t.tcp(method, path, method === 'POST' ? { board_type: 'virtual' } : undefined, h.key);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 'forbidden', error: expect.stringContaining(`host '${h.name}'`), next: expect.stringContaining('fbay keys create --name') });
    }
  });

  it('refuses a user key on the tunnel (403 before any upgrade), and the host side says so', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.coord.port}/v1/hosts/connect`, { headers: { authorization: `Bearer ${t.userKey}` } });
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
    let body = '';
    for await (const chunk of res) body += chunk;
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(body)).toMatchObject({ code: 'forbidden', error: expect.stringContaining('A user key cannot register a host') });
  });
});

describe('a host that misbehaves', () => {
  it('is closed for a text frame, garbage, a frame before its hello, a malformed hello, or an oversized frame', async () => {
    const cases: Array<[string, (ws: WebSocket) => void, RegExp]> = [
      ['text', (ws) => ws.send('hello?'), /text frame/],
      ['garbage', (ws) => ws.send(Buffer.from([0xff, 1, 2, 3, 4, 5])), /unknown frame type 0xff/],
      ['short', (ws) => ws.send(Buffer.from([1, 0])), /shorter than its 5-byte header/],
      ['data before hello', (ws) => ws.send(streamFrame(FRAME.data, 1, 0, Buffer.from('x'))), /before its hello/],
      ['bad hello', (ws) => ws.send(controlFrame({ ...hello, boards: [{ id: '../etc', type: 'x' }] })), /does not fit: boards.0.id/],
      ['json', (ws) => ws.send(Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), Buffer.from('{nope')])), /not JSON/],
    ];
    for (const [what, send, reason] of cases) {
      const ws = await tunnel(rogueKey);
      send(ws);
      const closed = await closing(ws);
      expect({ what, ...closed }).toMatchObject({ what, code: 1008, reason: expect.stringMatching(reason) });
    }
    const big = await tunnel(rogueKey);
    big.send(Buffer.alloc(2 * 1024 * 1024, 1));
    expect((await closing(big)).code).toBe(1009);
    await stillServing();
  });

  it('is closed when it floods control messages, and the coordinator is unaffected', async () => {
    const ws = await tunnel(rogueKey);
    ws.send(controlFrame(hello));
    const frame = controlFrame({ op: 'boards', boards: [] });
    for (let i = 0; i < 3000; i++) ws.send(frame);
    const closed = await closing(ws);
    expect(closed, t.coord.daemon.stderr().slice(-3000)).toMatchObject({ code: 1008, reason: expect.stringContaining('a flood') });
    const logs = t.coord.daemon.stderr();
    expect(logs).not.toMatch(/bug:/);
    await stillServing();
    const hosts = (await t.coord.api('GET', '/v1/hosts')).body.hosts;
    expect(hosts.find((h: { name: string }) => h.name === 'lab1')).toMatchObject({ link: 'open' });
  });
});

/** A hand-driven host with one board: it answers every request, and `open` with `onOpen`'s frames. */
async function rawHost(key: string, sessions: string[], onOpen: (ws: WebSocket, open: { id: number; channel: number; session: string; since: number }) => void) {
  const ws = await tunnel(key);
  const board = { id: 'raw-1', type: 'raw', name: 'raw-1', rate_credits_per_min: 0, online: true, held: sessions.length > 0, serial: { path: '/dev/fbay-raw', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null } };
  const welcome = new Promise<{ ids: Record<string, string> }>((resolve) => {
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(data);
      if (frame.type !== FRAME.control) return;
      const m = frame.json as { op: string; id: number; channel: number; session: string; since: number; ids: Record<string, string> };
      if (m.op === 'welcome') resolve(m);
      else if (m.op === 'open') onOpen(ws, m);
      else if (m.id) ws.send(controlFrame({ op: 'reply', id: m.id, ok: true }));
    });
  });
  ws.send(controlFrame({ op: 'hello', version: 'test', boards: [board], sessions }));
  return { ws, ids: (await welcome).ids };
}

describe('a host that answers an open with output right behind its reply, in the same read', () => {
  it('has that output taken from the offset it replied, with no gap for the clients', async () => {
    const reply = (ws: WebSocket, m: { id: number }, offset: number) => ws.send(controlFrame({ op: 'reply', id: m.id, ok: true, offset, input: 0 }));
    const first = await rawHost(rogueKey, [], (ws, m) => reply(ws, m, m.since));
    const s = (await t.tcp('POST', '/v1/sessions', { board_id: first.ids['raw-1'] })).body;
    expect(s).toMatchObject({ state: 'idle', host: 'rogue' });
    const client = await t.serial(s.id);
    const rec = recordFrames(client);
    first.ws.send(streamFrame(FRAME.data, 1, 0, Buffer.from('before-')));
    await rec.until(() => rec.size === 7);
    first.ws.close();
    await rec.until(() => rec.texts.some((m) => m.type === 'state' && m.link?.state === 'reconnecting'));
    // Back: the reply and two frames of output in one write, so the coordinator reads them in one go; a third later.
    const back = await rawHost(rogueKey, [s.id], (ws, m) => {
      const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
      socket.cork();
      reply(ws, m, m.since);
      ws.send(streamFrame(FRAME.data, m.channel, m.since, Buffer.from('after-')));
      ws.send(streamFrame(FRAME.data, m.channel, m.since + 6, Buffer.from('and-more-')));
      socket.uncork();
      setImmediate(() => ws.send(streamFrame(FRAME.data, m.channel, m.since + 15, Buffer.from('end'))));
    });
    await rec.until(() => rec.bytes().toString().endsWith('end'));
    expect(rec.bytes().toString()).toBe('before-after-and-more-end');
    expect(rec.texts.filter((m) => m.type === 'gap')).toEqual([]);
    expect(t.coord.daemon.stderr()).not.toMatch(/has output only up to offset/);
    expect((await t.tcp('DELETE', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'ended' });
    back.ws.close();
  });
});
