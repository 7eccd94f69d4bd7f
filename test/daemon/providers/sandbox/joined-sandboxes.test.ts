// Placing sandboxes on joined hosts, with hosts that answer from a table: the most room first and never past an
// offer; a sandbox ended while its host makes it is deleted there; a host that joins again is set right.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { JoinedSandboxes, type SandboxHosts } from '../../../../src/daemon/providers/sandbox/joined-sandboxes.js';
import type { SandboxRecord } from '../../../../src/daemon/providers/sandbox/sandbox-record.js';
import type { RemoteClient } from '../../../../src/daemon/remote/remote-client.js';
import { StartFailure } from '../../../../src/daemon/sessions/provider.js';

interface Call {
  host: string;
  method: string;
  path: string;
  body?: unknown;
}

function harness(offers: Array<{ host: string; sandboxes: number }>, answers: Record<string, (call: Call) => unknown> = {}) {
  const calls: Call[] = [];
  const told: Array<[string, string, string]> = [];
  const events: unknown[][] = [];
  let made = 0;
  const hosts: SandboxHosts = {
    offers: () => offers,
    client: (host) =>
      ({
        json: async (method: string, path: string, options: { body?: unknown } = {}) => {
          const call = { host, method, path, body: options.body };
          calls.push(call);
          const answer = answers[`${method} ${path}`];
          if (answer) return { status: 200, body: await answer(call) };
          if (method === 'POST') return { status: 201, body: { id: `ses_onhost${++made}`, isolation: { level: 'namespaces' }, limits: { enforced: { memory_mb: 'cgroup' } } } };
          return { status: 200, body: {} };
        },
      }) as unknown as RemoteClient,
    stream: () => new PassThrough(),
    tell: async (host, session, state) => void told.push([host, session, state]),
    expect: (host) => offers.some((o) => o.host === host),
  };
  const joined = new JoinedSandboxes(hosts, (...e: unknown[]) => void events.push(e), () => 1_000_000, () => undefined);
  return { joined, calls, told, events };
}

const record = (id: string, extra: Partial<SandboxRecord> = {}): SandboxRecord =>
  ({ id, state: 'creating', created_at: 1_000_000, ttl_s: 3600, metadata: { job: 'x' }, limits: { memory_mb: 512, cpu: 0.5, disk_mb: 256, exec_timeout_s: 30 }, ...extra }) as SandboxRecord;

describe('sandboxes placed on joined hosts', () => {
  it('go to the host with the most room, never past its offer, and skip the hosts a create failed on', () => {
    const h = harness([
      { host: 'a', sandboxes: 1 },
      { host: 'b', sandboxes: 2 },
    ]);
    expect(h.joined.place('ses_1')).toBe('b');
    expect(h.joined.place('ses_2', ['a'])).toBe('b');
    expect(h.joined.place('ses_3')).toBe('a');
    expect(h.joined.place('ses_4')).toBeNull();
  });

  it("are made on the host with the coordinator's limits, what is left of their TTL, and whose they are", async () => {
    const h = harness([{ host: 'a', sandboxes: 1 }]);
    const s = record('ses_1');
    h.joined.place(s.id);
    const fields = await h.joined.start(s, 'a');
    expect(fields).toMatchObject({ joined_host: 'a', upstream_id: 'ses_onhost1', isolation: { level: 'namespaces' }, limits: { memory_mb: 512, enforced: { memory_mb: 'cgroup' } } });
    expect(h.calls[0]).toEqual({
      host: 'a',
      method: 'POST',
      path: '/v1/sessions',
      body: { kind: 'sandbox', ttl: 3600, limits: { memory_mb: 512, cpu: 0.5, disk_mb: 256, exec_timeout_s: 30 }, metadata: { job: 'x', coordinator_session: 'ses_1' } },
    });
    expect(await h.joined.stop({ ...s, ...fields })).toBe(true);
    expect(h.calls[1]).toMatchObject({ host: 'a', method: 'DELETE', path: '/v1/sessions/ses_onhost1' });
    expect(h.joined.place('ses_2')).toBe('a'); // its room is free again
  });

  it('ended while its host makes it: deleted there once the host answers, and the start fails as ended', async () => {
    let answer!: () => void;
    const h = harness([{ host: 'a', sandboxes: 1 }], {
      'POST /v1/sessions': () => new Promise((resolve) => (answer = () => resolve({ id: 'ses_late', isolation: null, limits: { enforced: null } }))),
    });
    const s = record('ses_1');
    h.joined.place(s.id);
    const starting = h.joined.start(s, 'a');
    await new Promise((r) => setImmediate(r));
    expect(await h.joined.stop(s)).toBe(true); // nothing on the host to delete yet
    answer();
    await expect(starting).rejects.toBeInstanceOf(StartFailure);
    expect(h.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /v1/sessions', 'DELETE /v1/sessions/ses_late']);
  });

  it('not on a joined host: stop says so and touches nothing', async () => {
    const h = harness([{ host: 'a', sandboxes: 1 }]);
    expect(await h.joined.stop(record('ses_local', { joined_host: null }))).toBe(false);
    expect(h.calls).toEqual([]);
  });

  it('a host that joins again deletes what is over here, is told again what slept meanwhile, and finishes a wake', async () => {
    const listed = [
      { id: 'ses_h1', state: 'active', metadata: { coordinator_session: 'ses_over' } },
      { id: 'ses_h2', state: 'active', metadata: { coordinator_session: 'ses_asleep' } },
      { id: 'ses_h3', state: 'deep_sleep', metadata: { coordinator_session: 'ses_waking' } },
      { id: 'ses_h4', state: 'active', metadata: {} }, // the host's own, not the coordinator's
      { id: 'ses_h5', state: 'deep_sleep', metadata: { coordinator_session: 'ses_restarted' } },
    ];
    const h = harness([{ host: 'a', sandboxes: 6 }], { 'GET /v1/sessions?kind=sandbox': () => ({ sessions: listed }) });
    const records = new Map([
      ['ses_asleep', record('ses_asleep', { state: 'deep_sleep', joined_host: 'a', upstream_id: 'ses_h2' })],
      ['ses_waking', record('ses_waking', { state: 'waking', joined_host: 'a', upstream_id: 'ses_h3' })],
      // The host started again: what ran there is in deep sleep, whatever this coordinator thought.
      ['ses_restarted', record('ses_restarted', { state: 'idle', joined_host: 'a', upstream_id: 'ses_h5' })],
      // The host no longer has it at all (its state was lost).
      ['ses_missing', record('ses_missing', { state: 'active', joined_host: 'a', upstream_id: 'ses_h6' })],
      ['ses_missing_over', record('ses_missing_over', { state: 'ended', joined_host: 'a', upstream_id: 'ses_h7' })],
    ]);
    for (const s of records.values()) h.joined.resumed(s);
    // Still being made there when the host was asked: not in its answer, and not missing.
    expect(h.joined.place('ses_making')).toBe('a');
    await h.joined.reconcile('a', (id) => records.get(id), (s) => s.state !== 'ended');
    expect(h.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/v1/sessions/ses_h1']);
    expect(h.told).toEqual([
      ['a', 'ses_asleep', 'deep_sleep'],
      ['a', 'ses_waking', 'active'],
    ]);
    expect(h.events).toEqual([
      ['update', 'ses_waking', {}, 'active'],
      ['update', 'ses_restarted', {}, 'deep_sleep'],
      ['end', 'ses_missing', 'failed', 1_000_000, { failure_reason: 'Its host a no longer has it.' }],
    ]);
  });

  it('a host lost past its grace ends its sandboxes, charged to its last heartbeat; one no longer known ends at once', () => {
    const h = harness([{ host: 'a', sandboxes: 5 }]);
    h.joined.resumed(record('ses_1', { state: 'deep_sleep', joined_host: 'a', upstream_id: 'ses_h1' }));
    h.joined.resumed(record('ses_2', { state: 'deep_sleep', joined_host: 'gone', upstream_id: 'ses_h2' }));
    h.joined.settle();
    expect(h.events).toEqual([['end', 'ses_2', 'host_lost', 1_000_000]]);
    h.joined.lost('a', 999_000);
    expect(h.events.at(-1)).toEqual(['end', 'ses_1', 'host_lost', 999_000]);
  });
});
