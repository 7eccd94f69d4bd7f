import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { waitForSession } from '../../../src/cli/services/wait-for-session.js';
import type { Session } from '../../../src/transport/protocol/api.js';
import { UserError } from '../../../src/shared/user-error.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { aSession } from '../helpers/sessions.js';

let fake: FakeDaemon;
let client: DaemonClient;
const S = aSession();
const isActive = (s: Session) => s.state === 'active';

beforeEach(async () => {
  fake = await startFakeDaemon();
  client = new DaemonClient({ socketPath: fake.socket });
  fake.route('GET', `/v1/sessions/${S.id}`, { body: S });
});
afterEach(() => fake.close());

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('waitForSession', () => {
  it('subscribes before it reads the state, so a state already reached returns at once', async () => {
    fake.route('GET', `/v1/sessions/${S.id}`, { body: { ...S, state: 'active' } });
    const outcome = await waitForSession(client, S.id, isActive, { goal: 'to be active' });
    expect(outcome).toMatchObject({ reached: true, session: { state: 'active' } });
    expect(fake.requests.map((r) => r.url)).toEqual([`/v1/events?session=${S.id}`, `/v1/sessions/${S.id}`]);
  });

  it('returns when an event brings the state, ignoring other sessions', async () => {
    const subscribed = fake.nextSubscriber();
    const waiting = waitForSession(client, S.id, isActive, { goal: 'to be active' });
    await subscribed;
    fake.emit({ type: 'state', session: { ...S, id: 'ses_other', state: 'active' } });
    fake.emit({ type: 'meter', session_id: S.id, credits_used: 2, rate_credits_per_min: 1, balance_credits: null, at: S.created_at });
    fake.emit({ type: 'state', session: { ...S, state: 'active' } });
    expect((await waiting).session.id).toBe(S.id);
  });

  it('reports a session that ended first as not reached', async () => {
    const subscribed = fake.nextSubscriber();
    const waiting = waitForSession(client, S.id, isActive, { goal: 'to be active' });
    await subscribed;
    fake.emit({ type: 'ended', session_id: S.id, reason: 'idle_timeout', session: { ...S, state: 'ended', end_reason: 'idle_timeout' } });
    expect(await waiting).toMatchObject({ reached: false, session: { end_reason: 'idle_timeout' } });
  });

  it('counts ended as reached when that is the goal', async () => {
    const subscribed = fake.nextSubscriber();
    const waiting = waitForSession(client, S.id, (s) => s.state === 'ended', { goal: 'to be ended' });
    await subscribed;
    fake.emit({ type: 'ended', session_id: S.id, reason: 'user_ended', session: { ...S, state: 'ended' } });
    expect((await waiting).reached).toBe(true);
  });

  it('times out with exit 8, saying the state it is in', async () => {
    const err = await failure(waitForSession(client, S.id, isActive, { goal: 'to be active', timeoutMs: 100 }));
    expect(err.exit).toBe(8);
    expect(err.message).toBe(`Timed out after 100ms waiting for ${S.id} to be active (it is idle).`);
  });

  it('exits 130 when interrupted', async () => {
    const controller = new AbortController();
    const subscribed = fake.nextSubscriber();
    const interrupted = waitForSession(client, S.id, isActive, { goal: 'to be active', signal: controller.signal });
    await subscribed;
    controller.abort();
    expect((await failure(interrupted)).exit).toBe(130);
  });

  it('subscribes again and reads the state again when the stream ends (a daemon restart), and carries on', async () => {
    const warnings: string[] = [];
    const subscribed = fake.nextSubscriber();
    const waiting = waitForSession(client, S.id, isActive, { goal: 'to be active', warn: (l) => warnings.push(l) });
    await subscribed;
    await vi.waitFor(() => expect(fake.requests).toHaveLength(2));
    // While it was away the session became active: only reading it again after subscribing again can tell.
    fake.route('GET', `/v1/sessions/${S.id}`, { body: { ...S, state: 'active' } });
    fake.dropStreams();
    expect(await waiting).toMatchObject({ reached: true });
    expect(fake.requests.map((r) => r.url)).toEqual([
      `/v1/events?session=${S.id}`,
      `/v1/sessions/${S.id}`,
      `/v1/events?session=${S.id}`,
      `/v1/sessions/${S.id}`,
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^lost the daemon while waiting for ${S.id} to be active; trying to reach it again for up to 30s`)),
      `the daemon is back; still waiting for ${S.id} to be active.`,
    ]);
  });

  it('exits 3 when the daemon does not come back within the window', async () => {
    const subscribed = fake.nextSubscriber();
    const lost = waitForSession(client, S.id, isActive, { goal: 'to be active', windowMs: 300 });
    await subscribed;
    await vi.waitFor(() => expect(fake.requests.map((r) => r.url)).toContain(`/v1/sessions/${S.id}`)); // it is waiting
    await fake.close();
    const err = await failure(lost);
    expect(err.exit).toBe(3);
    expect(err.message).toContain('did not come back within 300ms');
    fake = await startFakeDaemon(); // for afterEach
  });

  it('passes a missing session through as exit 4', async () => {
    fake.route('GET', `/v1/sessions/${S.id}`, { status: 404, body: { error: 'No such session.', code: 'not_found' } });
    expect((await failure(waitForSession(client, S.id, isActive, { goal: 'to be active' }))).exit).toBe(4);
  });
});
