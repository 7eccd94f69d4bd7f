// A board host joined to coordinator A, and a user on coordinator B (same PostgreSQL database, no boards of its own):
// A records the host and its boards in the database, B passes a create it cannot serve to A, and the session A makes
// on the host's board is attached to and ended through B.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freshDatabase, type TestDatabase } from '../../helpers/pg-database.js';
import { joinHost, startCoordinator, type CoordinatorProcess, type JoinedHostProcess } from '../../helpers/coordinators.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';
import { freePort } from '../../helpers/free-port.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let host: JoinedHostProcess;
let alice: string;

const until = async (check: () => Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
};

beforeAll(async () => {
  db = await freshDatabase();
  a = await startCoordinator('join-a', db.url, { virtual_boards: 0 });
  b = await startCoordinator('join-b', db.url, { virtual_boards: 0 });
  alice = (await a.owner('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 100 })).body.key;
  host = await joinHost(a, `ws://127.0.0.1:${a.port}`, { virtual_boards: 2 });
  await until(async () => (await a.owner('GET', '/v1/boards')).body.boards.filter((x: { host: string | null }) => x.host === 'lab1').length === 2);
  await until(async () => (await b.tcp(alice, 'GET', '/v1/auth/me')).status === 200);
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await db?.drop();
});

describe("a joined host's boards, through another coordinator on the same database", () => {
  it('are recorded in the database with their host, which is listed with its heartbeat', async () => {
    await until(async () => (await db.query("SELECT id FROM resources WHERE host = 'lab1' AND online")).length === 2);
    const rows = await db.query("SELECT id, coordinator_id, type FROM resources WHERE host = 'lab1' ORDER BY id");
    expect(rows).toEqual([
      { id: 'join-a/lab1.virtual-1', coordinator_id: 'join-a', type: 'virtual' },
      { id: 'join-a/lab1.virtual-2', coordinator_id: 'join-a', type: 'virtual' },
    ]);
    const fleet = (await a.owner('GET', '/v1/health')).body.fleet;
    expect(fleet).toEqual([expect.objectContaining({ name: 'lab1', coordinator_id: 'join-a', link_state: 'open', boards: ['join-a/lab1.virtual-1', 'join-a/lab1.virtual-2'] })]);
    expect(fleet[0].last_heartbeat_at).not.toBeNull();
  });

  it('are given to a create made through B, which has no board: A makes the session, B attaches and ends it', async () => {
    const made = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 }, { 'idempotency-key': 'via-b' });
    expect(made).toMatchObject({ status: 201, body: { state: 'idle', board_id: 'lab1.virtual-1' } });
    const id = made.body.id as string;
    // The same key through B again: the same session (idempotency is the database's, wherever the create ran).
    expect((await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 }, { 'idempotency-key': 'via-b' })).body.id).toBe(id);
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/v1/sessions/${id}/serial`, { headers: { authorization: `Bearer ${alice}` } });
    let text = '';
    ws.on('message', (d, binary) => binary && (text += d.toString('latin1')));
    await once(ws, 'open');
    ws.send(Buffer.from('help\r'), { binary: true });
    await until(async () => text.includes('flood N') && text.endsWith(PROMPT));
    ws.close();
    expect((await b.tcp(alice, 'DELETE', `/v1/sessions/${id}`)).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    await until(async () => (await a.tcp(alice, 'GET', `/v1/sessions/${id}`)).body.state === 'ended');
  });

  it("refuses through B, as A would, once every one of the host's boards is taken", async () => {
    const first = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    const second = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(new Set([first.body.board_id, second.body.board_id])).toEqual(new Set(['lab1.virtual-1', 'lab1.virtual-2']));
    const third = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(third).toMatchObject({ status: 503, body: { code: 'no_board_available' } });
    // An unknown type is B's own refusal.
    expect((await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'no-such-board' })).status).toBe(404);
    for (const s of [first, second]) await b.tcp(alice, 'DELETE', `/v1/sessions/${s.body.id}`);
  });
  it('skip a coordinator that refuses the connection (dead, its heartbeat not yet run out): B says no board, not 502; by id, 502 with Retry-After', async () => {
    const first = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    const second = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect([first.status, second.status]).toEqual([201, 201]);
    // A coordinator killed a moment ago: the database still has its heartbeat, its URL and a free board of its.
    const closed = await freePort();
    await db.query("INSERT INTO coordinators (id, url, last_heartbeat_at) VALUES ('ghost', $1, now())", [`http://127.0.0.1:${closed}`]);
    await db.query("INSERT INTO resources (id, kind, coordinator_id, type, online) VALUES ('ghost/virtual-1', 'board', 'ghost', 'virtual', true)");
    await db.query("INSERT INTO resources (id, kind, coordinator_id, type, online) VALUES ('ghost/lab9.s3-1', 'board', 'ghost', 'esp32-s3', true)");
    try {
      const third = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
      expect(third).toMatchObject({ status: 503, body: { code: 'no_board_available' } });
      // Asked for by id, a board only the dead one offers: 502, and when to try again (its hosts move meanwhile).
      const byId = await b.tcp(alice, 'POST', '/v1/sessions', { board_id: 'lab9.s3-1' });
      expect(byId).toMatchObject({ status: 502, body: { code: 'upstream_unavailable', coordinator: 'ghost' } });
      expect(byId.body.error).toMatch(/^Board lab9\.s3-1 is offered on coordinator ghost, which did not answer .*try again in 2 s/);
      expect(byId.headers['retry-after']).toBe('2');
      // Freed on A meanwhile: the next create reaches A past the dead one.
      await b.tcp(alice, 'DELETE', `/v1/sessions/${second.body.id}`);
      const fourth = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
      expect(fourth).toMatchObject({ status: 201, body: { board_id: second.body.board_id } });
      await b.tcp(alice, 'DELETE', `/v1/sessions/${fourth.body.id}`);
    } finally {
      await db.query("DELETE FROM resources WHERE coordinator_id = 'ghost'");
      await db.query("DELETE FROM coordinators WHERE id = 'ghost'");
      for (const x of [first, second]) await b.tcp(alice, 'DELETE', `/v1/sessions/${x.body.id}`);
    }
  });
  it('queue a create through B that waits for a type only A has: A queues it, and gives it the first board freed', async () => {
    const first = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    const second = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect([first.status, second.status]).toEqual([201, 201]);
    // B has no virtual board at all: queued there it would never get one.
    const queued = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual', wait_s: 60 });
    expect(queued).toMatchObject({ status: 201, body: { state: 'pending', board_id: null } });
    expect(await db.query('SELECT coordinator FROM sessions WHERE id = $1', [queued.body.id])).toEqual([{ coordinator: 'join-a' }]);
    await b.tcp(alice, 'DELETE', `/v1/sessions/${second.body.id}`);
    await until(async () => (await b.tcp(alice, 'GET', `/v1/sessions/${queued.body.id}`)).body.state === 'idle');
    expect((await b.tcp(alice, 'GET', `/v1/sessions/${queued.body.id}`)).body).toMatchObject({ board_id: second.body.board_id });
    for (const s of [first, queued]) await b.tcp(alice, 'DELETE', `/v1/sessions/${s.body.id}`);
  });
  it('are given by id through B, which has none of them: A makes the session, and says busy for a taken one', async () => {
    const made = await b.tcp(alice, 'POST', '/v1/sessions', { board_id: 'lab1.virtual-2' });
    expect(made).toMatchObject({ status: 201, body: { state: 'idle', board_id: 'lab1.virtual-2' } });
    expect(await db.query('SELECT coordinator FROM sessions WHERE id = $1', [made.body.id])).toEqual([{ coordinator: 'join-a' }]);
    // Taken: A's own answer, passed back (busy, not "no such board").
    const again = await b.tcp(alice, 'POST', '/v1/sessions', { board_id: 'lab1.virtual-2' });
    expect(again).toMatchObject({ status: 503, body: { code: 'no_board_available' } });
    // With wait_s, A queues it (pending) and gives it the board once the first session ends.
    const queued = await b.tcp(alice, 'POST', '/v1/sessions', { board_id: 'lab1.virtual-2', wait_s: 60 });
    expect(queued).toMatchObject({ status: 201, body: { state: 'pending', board_id: null } });
    await b.tcp(alice, 'DELETE', `/v1/sessions/${made.body.id}`);
    await until(async () => (await b.tcp(alice, 'GET', `/v1/sessions/${queued.body.id}`)).body.state === 'idle');
    expect((await b.tcp(alice, 'GET', `/v1/sessions/${queued.body.id}`)).body).toMatchObject({ board_id: 'lab1.virtual-2' });
    await b.tcp(alice, 'DELETE', `/v1/sessions/${queued.body.id}`);
    // A board no coordinator offers: B's own 404.
    const nowhere = await b.tcp(alice, 'POST', '/v1/sessions', { board_id: 'lab9.virtual-1' });
    expect(nowhere).toMatchObject({ status: 404, body: { code: 'not_found' } });
  });
  it("are listed by B beside its own, with their coordinator and host, reserved while a session holds one", async () => {
    const listed = async () => (await b.tcp(alice, 'GET', '/v1/boards')).body.boards as Array<Record<string, unknown>>;
    await until(async () => (await listed()).length === 2);
    expect(await listed()).toEqual([
      expect.objectContaining({ id: 'lab1.virtual-1', coordinator: 'join-a', host: 'lab1', type: 'virtual', state: 'available', rate_credits_per_min: 1, session_id: null }),
      expect.objectContaining({ id: 'lab1.virtual-2', coordinator: 'join-a', host: 'lab1', type: 'virtual', state: 'available' }),
    ]);
    const made = await b.tcp(alice, 'POST', '/v1/sessions', { board_id: 'lab1.virtual-1' });
    await until(async () => (await listed())[0]!.state === 'reserved');
    expect((await listed())[0]).toMatchObject({ id: 'lab1.virtual-1', state: 'reserved', session_id: made.body.id });
    // Another account sees it taken, not whose session it is.
    const bob = (await a.owner('POST', '/v1/keys', { name: 'bob-list', tier: 'pro', credits: 10 })).body.key as string;
    await until(async () => (await b.tcp(bob, 'GET', '/v1/auth/me')).status === 200);
    expect(((await b.tcp(bob, 'GET', '/v1/boards')).body.boards as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'reserved', session_id: null });
    // A's own listing is unchanged: its joined host's boards, with no coordinator field.
    expect((await a.tcp(alice, 'GET', '/v1/boards')).body.boards[0]).not.toHaveProperty('coordinator');
    await b.tcp(alice, 'DELETE', `/v1/sessions/${made.body.id}`);
  });
});
