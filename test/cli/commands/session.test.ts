import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';
import { aSession } from '../helpers/sessions.js';

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  fake = await startFakeDaemon();
  env = { FBAY_HOME: fake.home };
});
afterEach(() => fake.close());

const S = aSession();
const ENDED = aSession({ state: 'ended', end_reason: 'user_ended', ended_at: '2030-01-01T00:01:00.000Z' });

describe('fbay session create', () => {
  it('posts the flags and prints the session object with --json', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: S });
    const r = await run(
      ['session', 'create', '--board', 'virtual', '--idle-timeout', '45s', '--metadata', 'job=1', '--metadata', 'who=ci', '--json'],
      env,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(S);
    expect(fake.requests[0]!.body).toEqual({ board_type: 'virtual', idle_timeout_s: 45, metadata: { job: '1', who: 'ci' } });
  });

  it('prints id, board, state, idle timeout and ws_url for people', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: S });
    const r = await run(['session', 'create', '--board-id', 'virtual-1'], env);
    for (const label of ['id', 'board', 'state', 'idle timeout', 'ws_url']) expect(r.stdout).toMatch(new RegExp(`^${label} `, 'm'));
    expect(fake.requests[0]!.body).toEqual({ board_id: 'virtual-1' });
  });

  it('refuses a sub-second idle timeout with exit 2, quoting it, before calling the daemon', async () => {
    const r = await run(['session', 'create', '--board', 'virtual', '--idle-timeout', '1500ms'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'1500ms'");
    expect(fake.requests).toEqual([]);
  });

  it('maps a conflict to exit 5', async () => {
    fake.route('POST', '/v1/sessions', { status: 409, body: { error: 'Account local already has 1 live session.', code: 'session_conflict' } });
    const r = await run(['session', 'create', '--board', 'virtual'], env);
    expect(r).toMatchObject({ code: 5, stdout: '' });
    expect(r.stderr).toContain('error: Account local already has 1 live session.');
  });
});

describe('fbay session list / show / end', () => {
  it('lists as a table, or says there is none', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [S] } });
    expect((await run(['session', 'list'], env)).stdout).toMatch(/^ID\s+TYPE\s+BOARD\s+STATE\s+CREATED\s+CREDITS\n/);
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    expect((await run(['session', 'list'], env)).stdout).toBe('No live sessions.\n');
    await run(['session', 'list', '--all'], env);
    expect(fake.requests.at(-1)!.url).toBe('/v1/sessions?all=1');
  });

  it('shows the single live session by default', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [S] } });
    fake.route('GET', `/v1/sessions/${S.id}`, { body: S });
    const r = await run(['session', 'show', '--json'], env);
    expect(JSON.parse(r.stdout)).toEqual(S);
  });

  it('exits 4 with a hint when show has no session to default to', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    const r = await run(['session', 'show'], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('hint: Create one with `fbay session create --board virtual`');
  });

  it('ends a session (an ended one comes back unchanged, exit 0)', async () => {
    fake.route('DELETE', `/v1/sessions/${S.id}`, { body: ENDED });
    const r = await run(['session', 'end', S.id], env);
    expect(r).toEqual({ code: 0, stdout: `${S.id} ended (user_ended); 1 credit used.\n`, stderr: '' });
    expect(JSON.parse((await run(['session', 'end', S.id, '--json'], env)).stdout)).toEqual(ENDED);
  });

  it('ends all live sessions with --all, and refuses an ID with --all', async () => {
    fake.route('GET', '/v1/sessions', { body: { sessions: [S] } });
    fake.route('DELETE', `/v1/sessions/${S.id}`, { body: ENDED });
    expect(JSON.parse((await run(['session', 'end', '--all', '--json'], env)).stdout)).toEqual({ sessions: [ENDED] });
    expect((await run(['session', 'end', S.id, '--all'], env)).code).toBe(2);
  });
});

describe('fbay session wait', () => {
  it('prints the session when it reaches the state', async () => {
    fake.route('GET', `/v1/sessions/${S.id}`, { body: { ...S, state: 'active' } });
    const r = await run(['session', 'wait', S.id, '--state', 'active', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: S.id, state: 'active' });
  });

  it('exits 8 on timeout and 1 (with the reason) when the session ends first', async () => {
    fake.route('GET', `/v1/sessions/${S.id}`, { body: S });
    const timedOut = await run(['session', 'wait', S.id, '--state', 'active', '--timeout', '50ms'], env);
    expect(timedOut.code).toBe(8);
    expect(timedOut.stderr).toContain('Timed out after 50ms');
    fake.route('GET', `/v1/sessions/${S.id}`, { body: { ...ENDED, end_reason: 'idle_timeout' } });
    const ended = await run(['session', 'wait', S.id, '--state', 'active'], env);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('ended (idle_timeout) before it was active');
  });

  it('refuses an unknown state or a bad timeout with exit 2', async () => {
    expect((await run(['session', 'wait', S.id, '--state', 'ready'], env)).code).toBe(2);
    expect((await run(['session', 'wait', S.id, '--state', 'idle', '--timeout', 'later'], env)).code).toBe(2);
    expect(fake.requests).toEqual([]);
  });
});
