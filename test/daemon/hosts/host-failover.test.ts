// A board host given two coordinators (`--join A,B`, one PostgreSQL database), a user's daemon whose remote has both
// URLs, and coordinator A killed with SIGKILL under a live session: the host dials B, B takes the session over from A
// — its board, its serial line with every byte the board sent, its meter — the user's console carries on through B
// with nothing lost or repeated, and the session is ended through B, charged once, its board free again.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freshDatabase, type TestDatabase } from '../../helpers/pg-database.js';
import { joinHost, startCoordinator, type CoordinatorProcess, type JoinedHostProcess } from '../../helpers/coordinators.js';
import { api, makeHome, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { logged } from '../../helpers/joined-hosts.js';
import { PROMPT } from '../../../src/daemon/boards/esp32s3-rom.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let host: JoinedHostProcess;
let user: { home: TestHome; daemon: DaemonProcess };
let alice: string;

beforeAll(async () => {
  db = await freshDatabase();
  a = await startCoordinator('fo-a', db.url, { virtual_boards: 0 });
  b = await startCoordinator('fo-b', db.url, { virtual_boards: 0 });
  alice = (await a.owner('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 100 })).body.key;
  host = await joinHost(a, `${a.url},${b.url}`, { virtual_boards: 1 });
  await logged(a.daemon, /host lab1 joined/);
  const userHome = makeHome();
  userHome.writeConfig({ remotes: { lab: { url: `${a.url},${b.url}`, key: alice } } });
  user = { home: userHome, daemon: await spawnDaemon(userHome.home) };
}, 60_000);
afterAll(async () => {
  if (user) await stopDaemon(user.daemon), user.home.cleanup();
  await host?.stop();
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
  it("keeps its session: B runs it with its whole transcript, the user's console carries on, and it ends once, charged once", async () => {
    // Made through the user's daemon, by its remote's first URL: A.
    const made = await api(user.home.socket, 'POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 600 }, { 'fbay-remote': 'lab' });
    expect(made).toMatchObject({ status: 201, body: { board_id: 'lab1.virtual-1' } });
    const id = made.body.id as string;
    expect(await db.query('SELECT coordinator FROM sessions WHERE id = $1', [id])).toEqual([{ coordinator: 'fo-a' }]);
    const before = await serial(a.port, id);
    const term = await openSerial(user.home.socket, id);
    term.send(Buffer.from('help\r'), { binary: true });
    await before.until((t) => t.includes('flood N') && t.endsWith(PROMPT));
    const consoleSaw = await readUntil(term, (t) => t.includes('flood N') && t.endsWith(PROMPT));
    // Everything the board sent so far (its boot banner included, which came before this client).
    const seen = (await a.tcp(alice, 'GET', `/v1/sessions/${id}/log`)).text;
    expect(seen.endsWith(before.bytes())).toBe(true);
    expect(seen.endsWith(consoleSaw)).toBe(true);

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
    // The user's console, through its daemon: back on B (its remote's next URL), and on with the next command.
    term.send(Buffer.from('help\r'), { binary: true });
    const consoleNext = await readUntil(term, (t) => t.includes('flood N') && t.endsWith(PROMPT));
    expect(consoleNext.startsWith('help')).toBe(true);
    term.close();
    const after = await serial(b.port, id, '?since=0');
    await after.until((t) => t.length >= seen.length + consoleNext.length);
    expect(after.bytes()).toBe(seen + consoleNext);
    after.ws.close();

    // The host's status names the coordinator it is on now.
    const status = (await api(host.home.socket, 'GET', '/v1/hosts')).body;
    expect(status.join).toMatchObject({ url: b.url, state: 'open', sessions: 1 });

    const ended = await api(user.home.socket, 'DELETE', `/v1/sessions/${id}`, undefined, { 'fbay-remote': 'lab' });
    expect(ended.body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    // The user's daemon ends its mirror at once and the session on B right after (its DELETE goes on in the background).
    await expect.poll(async () => db.query('SELECT state FROM sessions WHERE id = $1', [id]), { timeout: 10_000 }).toEqual([{ state: 'ended' }]);
    expect(await db.query('SELECT count(*)::int AS n FROM credit_ledger WHERE session_id = $1', [id])).toEqual([{ n: 1 }]);
    // The host let its board go: B gives it to the next create.
    await expect.poll(async () => (await api(host.home.socket, 'GET', '/v1/hosts')).body.join.sessions, { timeout: 10_000 }).toBe(0);
    const next = await b.tcp(alice, 'POST', '/v1/sessions', { board_type: 'virtual' });
    expect(next).toMatchObject({ status: 201, body: { board_id: 'lab1.virtual-1' } });
    await b.tcp(alice, 'DELETE', `/v1/sessions/${next.body.id}`);
  }, 60_000);
});
