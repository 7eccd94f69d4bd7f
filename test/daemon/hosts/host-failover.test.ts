// A board host given two coordinators (`--join A,B`, one PostgreSQL database) and coordinator A killed with SIGKILL
// under a live session: the host dials B, B takes the session over from A — its board, its serial line with every
// byte the board sent, its meter — and it is used and ended through B, charged once, its board free again.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freshDatabase, type TestDatabase } from '../../helpers/pg-database.js';
import { startCoordinator, type CoordinatorProcess } from '../../helpers/coordinators.js';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { logged } from '../../helpers/joined-hosts.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let host: { home: TestHome; daemon: DaemonProcess };
let alice: string;

beforeAll(async () => {
  db = await freshDatabase();
  a = await startCoordinator('fo-a', db.url, { virtual_boards: 0 });
  b = await startCoordinator('fo-b', db.url, { virtual_boards: 0 });
  alice = (await a.owner('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 100 })).body.key;
  const hostKey = (await a.owner('POST', '/v1/keys', { name: 'lab1', kind: 'host' })).body.key;
  const home = makeHome();
  home.writeConfig({ virtual_boards: 1 });
  host = { home, daemon: await spawnDaemon(home.home, { FBAY_JOIN: `${a.url},${b.url}`, FBAY_JOIN_KEY: hostKey }) };
  await logged(a.daemon, /host lab1 joined/);
}, 60_000);
afterAll(async () => {
  if (host) await stopDaemon(host.daemon), host.home.cleanup();
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await db?.drop();
});

/** A serial client that keeps every byte it is sent. */
async function serial(port: number, id: string, query = ''): Promise<{ ws: WebSocket; bytes: () => string; until(done: (text: string) => boolean): Promise<void> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/sessions/${id}/serial${query}`, { headers: { authorization: `Bearer ${alice}` } });
  let text = '';
  const waiters: Array<() => void> = [];
  ws.on('message', (d, binary) => {
    if (!binary) return;
    text += d.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  await once(ws, 'open');
  const until = async (done: (text: string) => boolean) => {
    while (!done(text)) await new Promise<void>((r) => waiters.push(r));
  };
  return { ws, bytes: () => text, until };
}

describe('a host that fails over to another coordinator when its own is killed', () => {
  it('keeps its session: B runs it, with its whole transcript, and ends it once, charged once', async () => {
    const made = await a.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 });
    expect(made).toMatchObject({ status: 201, body: { board_id: 'lab1.virtual-1' } });
    const id = made.body.id as string;
    const before = await serial(a.port, id);
    before.ws.send(Buffer.from('help\r'), { binary: true });
    await before.until((t) => t.includes('flood N') && t.endsWith(PROMPT));
    // Everything the board sent so far (its boot banner included, which came before this client).
    const seen = (await a.tcp(alice, 'GET', `/v1/sessions/${id}/log`)).text;
    expect(seen.endsWith(before.bytes())).toBe(true);

    const hostLog = host.daemon.stderr().length;
    const bLog = b.daemon.stderr().length;
    a.daemon.child.kill('SIGKILL');
    await a.daemon.exited;
    await logged(host.daemon, new RegExp(`joined ${b.url.replace(/[.]/g, '\\.')} as host 'lab1'`), hostLog);
    await logged(b.daemon, new RegExp(`session ${id}: taken over from coordinator fo-a`), bLog);
    expect(await db.query('SELECT coordinator, resource, live FROM sessions WHERE id = $1', [id])).toEqual([{ coordinator: 'fo-b', resource: 'fo-b/lab1.virtual-1', live: true }]);

    // Through B: the session as it was, its transcript rebuilt from the host (every byte, none twice), and its board.
    const shown = await b.tcp(alice, 'GET', `/v1/sessions/${id}`);
    expect(shown.body).toMatchObject({ id, board_id: 'lab1.virtual-1', ended_at: null });
    expect(shown.body.link?.state ?? 'open').toBe('open');
    await expect.poll(async () => (await b.tcp(alice, 'GET', `/v1/sessions/${id}/log`)).text, { timeout: 10_000 }).toBe(seen);
    const after = await serial(b.port, id, '?since=0');
    await after.until((t) => t.length >= seen.length);
    expect(after.bytes()).toBe(seen);
    after.ws.send(Buffer.from('help\r'), { binary: true });
    await after.until((t) => t.split('flood N').length === 3 && t.endsWith(PROMPT));
    expect(after.bytes().startsWith(seen)).toBe(true);
    after.ws.close();

    // The host's status names the coordinator it is on now.
    const status = (await api(host.home.socket, 'GET', '/v1/hosts')).body;
    expect(status.join).toMatchObject({ url: b.url, state: 'open', sessions: 1 });

    const ended = await b.tcp(alice, 'DELETE', `/v1/sessions/${id}`);
    expect(ended.body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    expect(await db.query('SELECT count(*)::int AS n FROM credit_ledger WHERE session_id = $1', [id])).toEqual([{ n: 1 }]);
    // The host let its board go: B gives it to the next create.
    await expect.poll(async () => (await api(host.home.socket, 'GET', '/v1/hosts')).body.join.sessions, { timeout: 10_000 }).toBe(0);
    const next = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(next).toMatchObject({ status: 201, body: { board_id: 'lab1.virtual-1' } });
    await b.tcp(alice, 'DELETE', `/v1/sessions/${next.body.id}`);
  }, 60_000);
});
