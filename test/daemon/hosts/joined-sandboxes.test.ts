// Sandboxes on a joined host, real processes: a coordinator places a user's sandbox on the host that joined it and
// offers sandboxes; exec (streamed too), files, background processes and the web URL all go through the coordinator
// and the host's tunnel; the coordinator idles it and its host freezes it; a host away past its grace loses it; a
// coordinator killed and started again finds it asleep and wakes it on the host with its files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { coordinated, joinedAll, type Coordinated } from '../../helpers/joined-hosts.js';
import { call, execStream, web, type Target } from '../api/sandbox-helpers.js';
import { requireSandboxHost } from '../sandboxes/harness.js';

let t: Coordinated;
let user: Target;

beforeAll(async () => {
  requireSandboxHost();
  t = await coordinated({
    // Idle after 2 s of nothing: the other cases see their sandbox idle between steps, and woken by the next one.
    // A short grace: the case of a host away past it takes seconds, not the default 30.
    coordinator: { host_grace_s: 3, sandbox: { idle_after_s: 2 } },
    hosts: [{ name: 'lab1', config: { virtual_boards: 0, join: { sandboxes: 2 } } }],
  });
  await joinedAll(t);
  user = { port: t.coord.port, key: t.userKey };
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const host = () => t.hosts[0]!;

const hostRecord = (id: string) => host().record(id);

const exec = (id: string, body: Record<string, unknown>) => call(user, 'POST', `/v1/sessions/${id}/exec`, body);
/** The coordinator's state of a sandbox (looking at it neither wakes it nor counts as its activity). */
const stateOf = async (id: string) => (await call(user, 'GET', `/v1/sessions/${id}`)).body.state as string;

describe('sandboxes on a joined host', () => {
  it('made through the coordinator, run on the host: exec, a streamed exec, files, background processes, its URL', { timeout: 90_000 }, async () => {
    const created = await call(user, 'POST', '/v1/sessions', { kind: 'sandbox', metadata: { job: 'joined-1' } });
    expect(created.status, created.text).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ kind: 'sandbox', state: 'active', account: 'alice', metadata: { job: 'joined-1' } });
    expect(s.isolation.level).toBe('namespaces');
    // It runs on the host, as a session of the coordinator's account there whose sleep the coordinator decides.
    const hostId = host().hostSession(s.id);
    expect(hostId).not.toBe(s.id);
    // The host's journal is written a tick after each change: poll it.
    await expect.poll(() => hostRecord(hostId), { timeout: 10_000 }).toMatchObject({ account: '@coordinator', state: 'active' });
    expect(existsSync(join(host().home.home, 'state', 'sandboxes', hostId))).toBe(true);
    expect(existsSync(join(t.coord.home.home, 'state', 'sandboxes', s.id))).toBe(false);

    const ran = await exec(s.id, { code: 'console.log(6 * 7)' });
    expect(ran.status, ran.text).toBe(200);
    expect(ran.body).toMatchObject({ stdout: '42\n', exit_code: 0 });
    const streamed = await execStream(user, s.id, { command: 'echo one; echo two >&2' });
    expect(streamed.events.map((e) => e.type)).toContain('result');
    expect(streamed.events.at(-1)).toMatchObject({ type: 'result', result: { stdout: 'one\n', stderr: 'two\n', exit_code: 0 } });

    expect((await call(user, 'PUT', `/v1/sessions/${s.id}/files/notes/a.txt`, Buffer.from('hello from the coordinator'))).status).toBe(201);
    const read = await call(user, 'GET', `/v1/sessions/${s.id}/files/notes/a.txt`);
    expect([read.status, read.text]).toEqual([200, 'hello from the coordinator']);
    expect((await call(user, 'GET', `/v1/sessions/${s.id}/files/notes`)).body).toMatchObject({ path: '/workspace/notes', entries: [expect.objectContaining({ name: 'a.txt' })] });
    expect((await exec(s.id, { command: 'cat /workspace/notes/a.txt' })).body.stdout).toBe('hello from the coordinator');
    expect((await call(user, 'DELETE', `/v1/sessions/${s.id}/files/notes/a.txt`)).body).toMatchObject({ deleted: true });
    // The host's refusal names the sandbox by the coordinator's id, the one its caller knows.
    const missing = await call(user, 'GET', `/v1/sessions/${s.id}/files/notes/a.txt`);
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain(hostId);
    // The coordinator's plan is the one that applies (pro: the paid plan, execs of at most 300 s).
    const tooLong = await exec(s.id, { command: 'true', timeout_s: 301 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toContain('300');

    const server = "Bun.serve({ port: 3000, fetch: (req) => new Response('served on the host for ' + new URL(req.url).pathname) }); console.log('listening');";
    const started = await exec(s.id, { code: server, background: true });
    expect(started.status, started.text).toBe(201);
    const pid = started.body.pid;
    await expect.poll(async () => (await call(user, 'GET', `/v1/sessions/${s.id}/processes/${pid}/output?since=0`)).body.data, { timeout: 10_000 }).toContain('listening');
    expect((await call(user, 'GET', `/v1/sessions/${s.id}/processes`)).body.processes).toEqual([expect.objectContaining({ pid, state: 'running' })]);
    // Its URL is the coordinator's, and reaches the app through the host's tunnel.
    expect(new URL(s.url).port).not.toBe('');
    const page = await web(s.url, '/hi');
    expect([page.status, page.text]).toEqual([200, 'served on the host for /hi']);
    expect((await call(user, 'DELETE', `/v1/sessions/${s.id}/processes/${pid}`)).body).toMatchObject({ pid, state: 'exited' });

    expect((await call(user, 'DELETE', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 20_000 }).toBe('ended');
    await expect.poll(() => existsSync(join(host().home.home, 'state', 'sandboxes', hostId)), { timeout: 20_000 }).toBe(false);
  });

  it("idles when the coordinator says: its host freezes it, and the next request thaws it there", { timeout: 60_000 }, async () => {
    const s = (await call(user, 'POST', '/v1/sessions', { kind: 'sandbox' })).body;
    const hostId = host().hostSession(s.id);
    expect(hostRecord(hostId)!.idle_after_s).toBeGreaterThan(2); // the host's own clock would not idle it
    await expect.poll(() => stateOf(s.id), { timeout: 10_000 }).toBe('idle');
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 10_000 }).toBe('idle');
    expect((await exec(s.id, { code: 'console.log("thawed")' })).body.stdout).toBe('thawed\n');
    expect((await call(user, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 10_000 }).toBe('active');
    await call(user, 'DELETE', `/v1/sessions/${s.id}`);
  });

  it("are placed within the host's offer: past it, they run on the coordinator", { timeout: 60_000 }, async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await call(user, 'POST', '/v1/sessions', { kind: 'sandbox' })).body);
    expect(made.map((s) => s.state)).toEqual(['active', 'active', 'active']);
    const onCoordinator = made.filter((s) => existsSync(join(t.coord.home.home, 'state', 'sandboxes', s.id)));
    expect(onCoordinator).toHaveLength(1); // the host offers 2
    for (const s of made) expect((await exec(s.id, { code: 'console.log(1)' })).body.stdout).toBe('1\n');
    for (const s of made) await call(user, 'DELETE', `/v1/sessions/${s.id}`);
  });

  it('a host away past its grace loses its sandboxes (host_lost); back, it deletes them', { timeout: 60_000 }, async () => {
    const s = (await call(user, 'POST', '/v1/sessions', { kind: 'sandbox' })).body;
    const hostId = host().hostSession(s.id);
    host().proxy.cut();
    // Within the grace a request is refused as the host reconnecting, not as the sandbox gone.
    const during = await exec(s.id, { code: '1' });
    expect(during.status).toBe(502);
    expect(during.body.error).toContain('reconnecting');
    await expect.poll(() => stateOf(s.id), { timeout: 20_000 }).toBe('ended');
    expect((await call(user, 'GET', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'host_lost' });
    host().proxy.restore();
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 30_000 }).toBe('ended');
  });

  it('a coordinator killed and started again finds its sandbox asleep, puts it to sleep on the host, and wakes it there with its files', { timeout: 90_000 }, async () => {
    const s = (await call(user, 'POST', '/v1/sessions', { kind: 'sandbox' })).body;
    const hostId = host().hostSession(s.id);
    expect((await call(user, 'PUT', `/v1/sessions/${s.id}/files/kept.txt`, Buffer.from('still here'))).status).toBe(201);
    await t.restartCoordinator('kill');
    await joinedAll(t, ['lab1']);
    expect((await call(user, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('deep_sleep');
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 20_000 }).toBe('deep_sleep');
    const woken = await exec(s.id, { command: 'cat /workspace/kept.txt' });
    expect(woken.status, woken.text).toBe(200);
    expect(woken.body.stdout).toBe('still here');
    expect((await call(user, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 10_000 }).toBe('active');
    await call(user, 'DELETE', `/v1/sessions/${s.id}`);
    await expect.poll(() => hostRecord(hostId)?.state, { timeout: 20_000 }).toBe('ended');
  });
});
