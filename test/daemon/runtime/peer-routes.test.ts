// Two coordinators on one PostgreSQL database: a session A runs is attached to, read, flashed and switched through B,
// which passes those requests to A (key and all); refusals are B's own where B can tell, A's where only A can.
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freshDatabase, type TestDatabase } from '../../helpers/pg-database.js';
import { startCoordinator, type CoordinatorProcess } from '../../helpers/coordinators.js';
import { flashHeaders } from '../../helpers/flash-upload.js';
import { buildAppImage } from '../../../src/daemon/flash/image-builder.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let alice: string;
let bob: string;

beforeAll(async () => {
  db = await freshDatabase();
  a = await startCoordinator('peer-a', db.url, { virtual_boards: 6 });
  b = await startCoordinator('peer-b', db.url, { virtual_boards: 6 });
  alice = (await a.owner('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 100 })).body.key;
  bob = (await a.owner('POST', '/v1/keys', { name: 'bob', tier: 'pro', credits: 100 })).body.key;
  // B hears of the keys made on A (a NOTIFY).
  while ((await b.tcp(bob, 'GET', '/v1/auth/me')).status !== 200) await new Promise((r) => setTimeout(r, 50));
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await db?.drop();
});

/** A session made (and so run) by A, on one of A's virtual boards. */
async function sessionOnA(): Promise<string> {
  const made = await a.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 });
  expect(made).toMatchObject({ status: 201, body: { state: 'idle' } });
  return made.body.id;
}

/** Opens the serial console through `via`; resolves with the socket and a reader of what it received. */
async function openConsole(via: CoordinatorProcess, id: string, key: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${via.port}/v1/sessions/${id}/serial`, { headers: { authorization: `Bearer ${key}` } });
  let text = '';
  const waiters = new Set<() => void>();
  ws.on('message', (data, binary) => {
    if (!binary) return;
    text += data.toString('latin1');
    for (const w of [...waiters]) w();
  });
  await once(ws, 'open');
  const until = (done: (t: string) => boolean) =>
    new Promise<string>((resolve) => {
      const check = () => done(text) && (waiters.delete(check), resolve(text));
      waiters.add(check);
      check();
    });
  return { ws, until };
}

/** POST …/flash on B over raw TCP with `Expect: 100-continue`: the body goes only once B (that is, A) asks for it. */
async function flashThrough(via: CoordinatorProcess, id: string, key: string, body: Buffer): Promise<{ asked: boolean; reply: string }> {
  const socket = connect(via.port, '127.0.0.1');
  await once(socket, 'connect');
  let reply = '';
  let asked = false;
  socket.setEncoding('latin1').on('data', (c: string) => {
    if (!asked && c.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
      asked = true;
      socket.write(body);
      c = c.slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
    }
    reply += c;
  });
  const closed = once(socket, 'close');
  const headers = { ...flashHeaders([{ name: 'peer-app.bin', data: body, offset: null }]), authorization: `Bearer ${key}`, expect: '100-continue', connection: 'close', 'content-length': String(body.length) };
  socket.write(`POST /v1/sessions/${id}/flash HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  await closed;
  return { asked, reply };
}

describe('a session another coordinator runs, reached through this one', () => {
  it('attaches its serial console through B: typed input reaches the board on A, its output comes back, and A sees the client', async () => {
    const id = await sessionOnA();
    const c = await openConsole(b, id, alice);
    c.ws.send(Buffer.from('help\r'), { binary: true });
    const seen = await c.until((t) => t.includes('flood N') && t.endsWith(PROMPT));
    expect(seen).toContain('help');
    await expect.poll(async () => (await a.tcp(alice, 'GET', `/v1/sessions/${id}`)).body.state).toBe('active');
    // The transcript is A's, read through B.
    const log = await b.tcp(alice, 'GET', `/v1/sessions/${id}/log`);
    expect(log.status).toBe(200);
    expect(log.text).toContain('flood N');
    c.ws.close();
    await expect.poll(async () => (await b.tcp(alice, 'GET', `/v1/sessions/${id}`)).body.state).toBe('idle');
    expect((await b.tcp(alice, 'DELETE', `/v1/sessions/${id}`)).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
  });

  it('flashes it through B: A asks for the body (100 Continue) through B, runs the job, and B reports it', async () => {
    const id = await sessionOnA();
    const image = buildAppImage({ projectName: 'peer-app', version: '1.2.3', size: 64 * 1024 });
    const { asked, reply } = await flashThrough(b, id, alice, image);
    expect(asked).toBe(true);
    expect(reply).toMatch(/^HTTP\/1.1 202 /);
    await expect.poll(async () => (await b.tcp(alice, 'GET', `/v1/sessions/${id}/flash`)).body?.state, { timeout: 30_000 }).toBe('succeeded');
    const c = await openConsole(b, id, alice);
    c.ws.send(Buffer.from('\r'), { binary: true });
    await c.until((t) => t.endsWith(PROMPT));
    c.ws.close();
    await b.tcp(alice, 'DELETE', `/v1/sessions/${id}`);
  });

  it('passes on a refused upload without asking for its body, directly over TCP and through B', async () => {
    const id = await sessionOnA();
    const huge = Buffer.alloc(64 * 1024 * 1024 + 1);
    for (const via of [a, b]) {
      const { asked, reply } = await flashThrough(via, id, alice, huge);
      expect(asked).toBe(false);
      expect(reply).toMatch(/^HTTP\/1.1 413 /);
    }
    await a.tcp(alice, 'DELETE', `/v1/sessions/${id}`);
  });

  it("refuses on B what B can tell: another account's session (404, nothing passed on) and the owner's socket, which has no key to pass", async () => {
    const id = await sessionOnA();
    expect((await b.tcp(bob, 'GET', `/v1/sessions/${id}/log`)).status).toBe(404);
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/v1/sessions/${id}/serial`, { headers: { authorization: `Bearer ${bob}` } });
    const [, refused] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(refused.statusCode).toBe(404);
    await a.tcp(alice, 'DELETE', `/v1/sessions/${id}`);
    // The owner's own session, made on A's socket: B's owner sees it, but has no key for A to check.
    const mine = (await a.owner('POST', '/v1/sessions', { board_type: 'virtual' })).body.id as string;
    const owner = await b.owner('GET', `/v1/sessions/${mine}/log`);
    expect(owner).toMatchObject({ status: 409, body: { code: 'session_conflict', coordinator: 'peer-a' } });
    expect(owner.body.error).toContain('runs on coordinator peer-a');
    await a.owner('DELETE', `/v1/sessions/${mine}`);
  });

  it('answers 502 with a sentence and Retry-After when the coordinator that runs the session does not answer', async () => {
    const id = await sessionOnA();
    // A is killed: its sessions stay live in the database, and B cannot reach A.
    a.daemon.child.kill('SIGKILL');
    await a.daemon.exited;
    const r = await b.tcp(alice, 'POST', `/v1/sessions/${id}/reset`, {});
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: 'upstream_unavailable', coordinator: 'peer-a' });
    expect(r.body.error).toMatch(/runs on coordinator peer-a, which did not answer .*try again in 2 s, or connect to peer-a itself/);
    expect(r.headers['retry-after']).toBe('2');
    // The same through a WebSocket: the refused handshake carries it too.
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/v1/sessions/${id}/serial`, { headers: { authorization: `Bearer ${alice}` } });
    const [, refused] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; headers: Record<string, string> }];
    expect(refused.statusCode).toBe(502);
    expect(refused.headers['retry-after']).toBe('2');
  });
});
