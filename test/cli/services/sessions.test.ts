import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { createSession, endAllSessions, resolveSessionId } from '../../../src/cli/services/sessions.js';
import { UserError } from '../../../src/shared/user-error.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { aSession } from '../helpers/sessions.js';

let fake: FakeDaemon;
let client: DaemonClient;
beforeEach(async () => {
  fake = await startFakeDaemon();
  client = new DaemonClient({ socketPath: fake.socket });
});
afterEach(() => fake.close());

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

const A = aSession({ id: 'ses_aaaaaaaaaaaaaaaaaaaaaaaa' });
const B = aSession({ id: 'ses_bbbbbbbbbbbbbbbbbbbbbbbb', state: 'active' });

describe('resolveSessionId', () => {
  it('uses the ID given without asking the daemon', async () => {
    expect(await resolveSessionId(client, 'ses_given')).toBe('ses_given');
    expect(fake.requests).toEqual([]);
  });

  it('defaults to the single live session', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [A] } });
    expect(await resolveSessionId(client, undefined)).toBe(A.id);
  });

  it('exits 4 with a hint when there is none', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    const err = await failure(resolveSessionId(client, undefined));
    expect(err.exit).toBe(4);
    expect(err.next).toContain('fbay session create');
  });

  it('exits 2 naming them when there are several', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [A, B] } });
    const err = await failure(resolveSessionId(client, undefined));
    expect(err.exit).toBe(2);
    expect(err.message).toContain(`${A.id} (${A.board_id}, idle)`);
    expect(err.message).toContain(`${B.id} (${B.board_id}, active)`);
  });
});

describe('endAllSessions', () => {
  it('ends every live session', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [A, B] } });
    fake.route('DELETE', `/v1/sessions/${A.id}`, { body: { ...A, state: 'ended', end_reason: 'user_ended' } });
    fake.route('DELETE', `/v1/sessions/${B.id}`, { body: { ...B, state: 'ended', end_reason: 'user_ended' } });
    const ended = await endAllSessions(client);
    expect(ended.map((s) => [s.id, s.state])).toEqual([
      [A.id, 'ended'],
      [B.id, 'ended'],
    ]);
  });
});

describe('createSession', () => {
  it('returns an allocated session at once, sending a fresh idempotency key each time', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: A });
    expect(await createSession(client, { board_type: 'virtual' }, { waitMs: null })).toEqual(A);
    await createSession(client, { board_type: 'virtual' }, { waitMs: null });
    const keys = fake.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
    expect(fake.requests[0]!.body).toEqual({ board_type: 'virtual' });
  });

  it('waits for a pending session to get a board', async () => {
    const pending = { ...A, state: 'pending' as const, board_id: null };
    fake.route('POST', '/v1/sessions', { status: 201, body: pending });
    fake.route('GET', `/v1/sessions/${A.id}`, { body: pending });
    const subscribed = fake.nextSubscriber();
    const created = createSession(client, { board_type: 'virtual', wait_s: 60 }, { waitMs: 60_000 });
    await subscribed;
    fake.emit({ type: 'state', session: { ...pending, state: 'allocating' } });
    fake.emit({ type: 'state', session: A });
    expect(await created).toEqual(A);
  });

  it('exits 8 when no board freed up in time (allocation_failed)', async () => {
    const pending = { ...A, state: 'pending' as const, board_id: null };
    fake.route('POST', '/v1/sessions', { status: 201, body: pending });
    fake.route('GET', `/v1/sessions/${A.id}`, { body: pending });
    const subscribed = fake.nextSubscriber();
    const created = createSession(client, { board_type: 'virtual', wait_s: 1 }, { waitMs: 1000 });
    await subscribed;
    const ended = { ...pending, state: 'ended' as const, end_reason: 'allocation_failed' as const };
    fake.emit({ type: 'ended', session_id: A.id, reason: 'allocation_failed', session: ended });
    const err = await failure(created);
    expect(err.exit).toBe(8);
    expect(err.message).toContain('No virtual board became free within 1s');
  });

  it('exits 1 when the pending session ends for another reason', async () => {
    const pending = { ...A, state: 'pending' as const };
    fake.route('POST', '/v1/sessions', { status: 201, body: pending });
    fake.route('GET', `/v1/sessions/${A.id}`, { body: { ...pending, state: 'ended', end_reason: 'host_shutdown' } });
    const err = await failure(createSession(client, { board_type: 'virtual', wait_s: 5 }, { waitMs: 5000 }));
    expect(err.exit).toBe(1);
    expect(err.message).toContain('host_shutdown');
  });

  it('ends the half-made session when interrupted', async () => {
    const pending = { ...A, state: 'pending' as const };
    fake.route('POST', '/v1/sessions', { status: 201, body: pending });
    fake.route('GET', `/v1/sessions/${A.id}`, { body: pending });
    fake.route('DELETE', `/v1/sessions/${A.id}`, { body: { ...pending, state: 'ended' } });
    const controller = new AbortController();
    // As the CLI builds it: the client's own requests are cancelled by the same Ctrl-C.
    const interruptible = new DaemonClient({ socketPath: fake.socket, signal: controller.signal });
    const subscribed = fake.nextSubscriber();
    const created = createSession(interruptible, { board_type: 'virtual', wait_s: 60 }, { waitMs: 60_000, signal: controller.signal });
    await subscribed;
    controller.abort();
    expect((await failure(created)).exit).toBe(130);
    expect(fake.requests.some((r) => r.method === 'DELETE' && r.url === `/v1/sessions/${A.id}`)).toBe(true);
  });

  it('passes API errors through with their exit code', async () => {
    fake.route('POST', '/v1/sessions', { status: 404, body: { error: "No board type 'nope'.", code: 'not_found' } });
    const err = await failure(createSession(client, { board_type: 'nope' }, { waitMs: null }));
    expect(err.exit).toBe(4);
    expect(err.message).toBe("No board type 'nope'.");
  });
});
