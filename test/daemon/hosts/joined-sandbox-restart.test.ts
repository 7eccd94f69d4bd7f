// A joined host started again under a coordinator's sandbox, real processes: the host brings the sandbox back in
// deep sleep (its processes gone, its files kept), and the coordinator, which had it running or idle, takes that
// as it is — its own record sleeps too, and the next request wakes it on the host with its files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinated, joinedAll, type Coordinated } from '../../helpers/joined-hosts.js';
import { call, type Target } from '../api/sandbox-helpers.js';
import { requireSandboxHost } from '../sandboxes/harness.js';

let t: Coordinated;
let user: Target;

beforeAll(async () => {
  requireSandboxHost();
  // The default grace (30 s): the host's restart is a drop it comes back from.
  t = await coordinated({ hosts: [{ name: 'lab1', config: { virtual_boards: 0, join: { sandboxes: 2 } } }] });
  await joinedAll(t);
  user = { port: t.coord.port, key: t.userKey };
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('a joined host started again', () => {
  it("brings the coordinator's sandbox back asleep: the coordinator says so, and wakes it there with its files", { timeout: 90_000 }, async () => {
    const s = (await call(user, 'POST', '/v1/sessions', { kind: 'sandbox' })).body;
    const host = t.hosts[0]!;
    const hostId = host.hostSession(s.id);
    expect((await call(user, 'PUT', `/v1/sessions/${s.id}/files/kept.txt`, Buffer.from('kept'))).status).toBe(201);
    const started = await call(user, 'POST', `/v1/sessions/${s.id}/exec`, { command: 'sleep 600', background: true });
    expect(started.status, started.text).toBe(201);
    expect((await call(user, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');

    const from = t.coord.daemon.stderr().length;
    await host.restart();
    await joinedAll(t, ['lab1'], from);
    // (The host's journal is not asked here: a state its restart restores is written with the next move.)
    await expect.poll(async () => (await call(user, 'GET', `/v1/sessions/${s.id}`)).body.state, { timeout: 10_000 }).toBe('deep_sleep');

    const woken = await call(user, 'POST', `/v1/sessions/${s.id}/exec`, { command: 'cat /workspace/kept.txt' });
    expect(woken.status, woken.text).toBe(200);
    expect(woken.body.stdout).toBe('kept');
    expect((await call(user, 'GET', `/v1/sessions/${s.id}`)).body.state).toBe('active');
    expect(host.record(hostId)?.state).toBe('active');
    // The background process did not outlive the host's restart, and the coordinator's list says so.
    const listed = (await call(user, 'GET', `/v1/sessions/${s.id}/processes`)).body.processes as Array<{ pid: number; state: string }>;
    expect(listed.filter((p) => p.pid === started.body.pid && p.state === 'running')).toEqual([]);
    await call(user, 'DELETE', `/v1/sessions/${s.id}`);
  });
});
