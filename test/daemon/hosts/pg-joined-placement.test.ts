// Sandboxes and browsers across coordinators that share PostgreSQL, real processes: a host joined to A offers one
// of each; a create through B, whose own hosts have no room, is passed to A and runs on that host (A's session, used
// through B as any of A's are); once the host is full, the next create through B is made by B itself.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { joinHost, startCoordinator, type CoordinatorProcess, type JoinedHostProcess } from '../../helpers/coordinators.js';
import { hostSessionOf, logged } from '../../helpers/joined-hosts.js';
import { freshDatabase, type TestDatabase } from '../../helpers/pg-database.js';
import { requireSandboxHost } from '../sandboxes/harness.js';

let db: TestDatabase;
let a: CoordinatorProcess;
let b: CoordinatorProcess;
let host: JoinedHostProcess;
let alice: string;

beforeAll(async () => {
  requireSandboxHost();
  db = await freshDatabase();
  a = await startCoordinator('ps-a', db.url, { virtual_boards: 0, browsers: { warm: 0 } });
  b = await startCoordinator('ps-b', db.url, { virtual_boards: 0, browsers: { warm: 0 } });
  alice = (await a.owner('POST', '/v1/keys', { name: 'alice', tier: 'pro', credits: 100 })).body.key;
  host = await joinHost(a, a.url, { virtual_boards: 0, join: { sandboxes: 1 }, browsers: { warm: 0, max_concurrent: 1 } });
  await logged(a.daemon, /host lab1 joined/);
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await db?.drop();
});

const row = async (id: string) => ((await db.query('SELECT coordinator, resource FROM sessions WHERE id = $1', [id])) as Array<{ coordinator: string; resource: string | null }>)[0];
const coordinatorOf = async (id: string) => (await row(id))?.coordinator;

describe('a sandbox create through a coordinator whose hosts have no room', () => {
  it("goes to the coordinator whose joined host has room, runs there, and is used through the first; past the host's offer it is made here", async () => {
    // A records its host's offer with the host's row (at once for boards, else with its next heartbeat).
    await expect.poll(async () => db.query('SELECT sandboxes, browsers, coordinator_id FROM hosts WHERE name = $1', ['lab1']), { timeout: 15_000 }).toEqual([{ sandboxes: 1, browsers: 1, coordinator_id: 'ps-a' }]);

    const made = await b.tcp(alice, 'POST', '/v1/sessions', { kind: 'sandbox', metadata: { job: 'fleet' } });
    expect(made.status, made.text).toBe(201);
    const s = made.body;
    expect(s).toMatchObject({ kind: 'sandbox', state: 'active', account: 'alice', metadata: { job: 'fleet' } });
    expect(await coordinatorOf(s.id)).toBe('ps-a');
    const onHost = hostSessionOf(host.home.home, s.id);
    expect(existsSync(join(host.home.home, 'state', 'sandboxes', onHost))).toBe(true);

    // Used through B as any of A's sessions are: passed to A, and by A to its host.
    const ran = await b.tcp(alice, 'POST', `/v1/sessions/${s.id}/exec`, { command: 'echo via B' });
    expect([ran.status, ran.body?.stdout]).toEqual([200, 'via B\n']);
    expect((await b.tcp(alice, 'PUT', `/v1/sessions/${s.id}/files/a.txt`, undefined, { 'content-type': 'application/octet-stream' })).status).toBe(201);
    // Its app's port through B's ports socket (what a teammate's daemon opens the sandbox's URL through): B passes
    // it to A, A to its host's sandbox.
    const app = "Bun.serve({ port: 3000, fetch: () => new Response('app on lab1') }); console.log('listening')";
    const bg = await b.tcp(alice, 'POST', `/v1/sessions/${s.id}/exec`, { code: app, background: true });
    expect(bg.status, bg.text).toBe(201);
    await expect.poll(async () => (await b.tcp(alice, 'GET', `/v1/sessions/${s.id}/processes/${bg.body.pid}/output?since=0`)).body.data, { timeout: 10_000 }).toContain('listening');
    const port = new WebSocket(`ws://127.0.0.1:${b.port}/v1/sessions/${s.id}/ports/3000`, { headers: { authorization: `Bearer ${alice}` } });
    await once(port, 'open');
    port.send(Buffer.from('GET / HTTP/1.1\r\nhost: app\r\nconnection: close\r\n\r\n'));
    let answer = '';
    port.on('message', (m) => (answer += String(m)));
    await once(port, 'close');
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\napp on lab1$/);

    // The host is full: the next create through B is B's own.
    const second = await b.tcp(alice, 'POST', '/v1/sessions', { kind: 'sandbox' });
    expect(second.status, second.text).toBe(201);
    expect(await coordinatorOf(second.body.id)).toBe('ps-b');
    expect(existsSync(join(b.home.home, 'state', 'sandboxes', second.body.id))).toBe(true);

    for (const id of [s.id, second.body.id]) expect((await b.tcp(alice, 'DELETE', `/v1/sessions/${id}`)).body).toMatchObject({ state: 'ended' });
    await expect.poll(() => existsSync(join(host.home.home, 'state', 'sandboxes', onHost)), { timeout: 20_000 }).toBe(false);
  }, 90_000);

  it("a browser goes to the coordinator whose joined host has a free slot; past it, it is made here", async () => {
    await expect.poll(async () => db.query('SELECT browsers FROM hosts WHERE name = $1', ['lab1']), { timeout: 15_000 }).toEqual([{ browsers: 1 }]);
    const made = await b.tcp(alice, 'POST', '/v1/browsers', { metadata: { job: 'fleet' } });
    expect(made.status, made.text).toBe(201);
    const s = made.body;
    expect(s).toMatchObject({ kind: 'browser', account: 'alice', metadata: { job: 'fleet' } });
    expect(await row(s.id)).toEqual({ coordinator: 'ps-a', resource: 'ps-a/joined/lab1/browser-slot-1' });
    // Answered as B shows it (the create is A's to run): its cdpUrl is B's, which passes the CDP socket on to A, and
    // A to the host.
    expect(s.status).toBe('ready');
    expect(new URL(s.cdpUrl).port).toBe(String(b.port));
    const ready = await b.tcp(alice, 'GET', `/v1/browsers?id=${s.id}&wait=usable&timeoutMs=20000`);
    expect(ready.body).toMatchObject({ id: s.id, status: 'ready' });
    expect(new URL(ready.body.cdpUrl).port).toBe(String(b.port));
    const cdp = new WebSocket(ready.body.cdpUrl, { headers: { authorization: `Bearer ${alice}` } });
    await once(cdp, 'open');
    cdp.send(JSON.stringify({ id: 1, method: 'Browser.getVersion' }));
    expect(JSON.parse(String((await once(cdp, 'message'))[0]))).toMatchObject({ id: 1, result: { product: expect.stringMatching(/Chrome/) } });
    cdp.close();

    const second = await b.tcp(alice, 'POST', '/v1/browsers', {});
    expect(second.status, second.text).toBe(201);
    expect(await row(second.body.id)).toMatchObject({ coordinator: 'ps-b', resource: expect.stringMatching(/^ps-b\/browser-slot-\d+$/) });

    for (const id of [s.id, second.body.id]) expect((await b.tcp(alice, 'DELETE', `/v1/browsers?id=${id}`)).body).toMatchObject({ status: 'ended' });
  }, 90_000);
});
