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

  it('--idempotency-key is sent as Idempotency-Key (one helper with sandbox and browser create); a bad one is exit 2', async () => {
    fake.route('POST', '/v1/sessions', { status: 201, body: S });
    expect((await run(['session', 'create', '--board', 'virtual', '--idempotency-key', 'job-7'], env)).code).toBe(0);
    expect(fake.requests.at(-1)!.headers['idempotency-key']).toBe('job-7');
    const bad = await run(['session', 'create', '--board', 'virtual', '--idempotency-key', 'a b'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--idempotency-key must be 1 to 255 visible ASCII characters (no spaces); got 'a b'.");
    expect(fake.requests).toHaveLength(1);
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

  it('--kind asks for that kind and prints it in its own table (--json: the API list as it is)', async () => {
    const sandbox = { id: 'ses_SSSSSSSSSSSSSSSSSSSSSSSS', kind: 'sandbox', state: 'active', created_at: '2030-01-01T00:00:00.000Z', expires_at: '2030-01-02T00:00:00.000Z', credits_used: 0, url: 'http://ses-s.localhost:1/' };
    fake.route('GET', '/v1/sessions', { body: { sessions: [sandbox] } });
    const table = await run(['session', 'list', '--kind', 'sandbox'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+CREATED\s+EXPIRES\s+CREDITS\s+URL\nses_S{24}\s+active\s/);
    expect(fake.requests.at(-1)!.url).toBe('/v1/sessions?kind=sandbox');
    expect(JSON.parse((await run(['--json', 'session', 'list', '--kind', 'sandbox'], env)).stdout)).toEqual({ sessions: [sandbox] });

    const browser = { id: 'ses_BBBBBBBBBBBBBBBBBBBBBBBB', kind: 'browser', status: 'ended', createdAt: '2030-01-01T00:00:00.000Z', expiresAt: null, usedMs: 2000, recording: false, record: [], profile: null, proxy: null, fingerprint: null };
    fake.route('GET', '/v1/sessions', { body: { sessions: [browser] } });
    expect((await run(['session', 'list', '--kind', 'browser', '--all'], env)).stdout).toMatch(/^ID\s+STATE\s+CREATED\s+EXPIRES\s+USED\s+OPTIONS\nses_B{24}\s+ended\s/);
    expect(fake.requests.at(-1)!.url).toBe('/v1/sessions?all=1&kind=browser');
    fake.route('GET', '/v1/sessions', { body: { sessions: [] } });
    expect((await run(['session', 'list', '--kind', 'sandbox'], env)).stdout).toBe('No live sandboxes.\n');
    expect((await run(['session', 'list', '--kind', 'board', '--all'], env)).stdout).toBe('No sessions.\n');
    expect(fake.requests.at(-1)!.url).toBe('/v1/sessions?all=1&kind=board');
  });

  it('--kind of no kind is exit 2 naming the kinds, before asking the daemon', async () => {
    const r = await run(['session', 'list', '--kind', 'nope'], env);
    expect(r).toEqual({ code: 2, stdout: '', stderr: "error: --kind must be one of board, browser, sandbox; got 'nope'.\nhint: For example: fbay session list --kind sandbox\n" });
    expect(fake.requests).toEqual([]);
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

describe('defaults, kinds and wording', () => {
  it('inside exec, session show (and end) default to $FBAY_SESSION even with other live sessions', async () => {
    const mine = aSession({ id: 'ses_mmmmmmmmmmmmmmmmmmmmmmmm' });
    fake.route('GET', '/v1/sessions', { body: { sessions: [S, mine] } });
    fake.route('GET', `/v1/sessions/${mine.id}`, { body: mine });
    const r = await run(['--json', 'session', 'show'], { ...env, FBAY_SESSION: mine.id });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe(mine.id);
    fake.route('DELETE', `/v1/sessions/${mine.id}`, { body: { ...mine, state: 'ended' } });
    expect((await run(['session', 'end'], { ...env, FBAY_SESSION: mine.id })).code).toBe(0);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'DELETE', url: `/v1/sessions/${mine.id}` });
  });

  it('a browser session id given to session show says which kind it is and which command to use', async () => {
    const id = 'ses_BBBBBBBBBBBBBBBBBBBBBBBB';
    fake.route('GET', '/v1/browsers', { body: { id, kind: 'browser', state: 'ready' } });
    const r = await run(['session', 'show', id], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`error: ${id} is a browser session, not a board session.`);
    expect(r.stderr).toContain(`hint: Use \`fbay browser show ${id}\``);
    const missing = await run(['session', 'show', 'ses_nnnnnnnnnnnnnnnnnnnnnnnn'], { ...env });
    expect(missing.code).toBe(4);
  });

  it('--board-id of an offline board says it is offline, with the next step in flags', async () => {
    fake.route('POST', '/v1/sessions', { status: 503, body: { error: 'All 1 lab-s3 board is busy (0 reserved, 1 offline). Pass wait_s (`--wait 5m`) to queue for one.', code: 'no_board_available' } });
    fake.route('GET', '/v1/boards', { body: { boards: [{ id: 'lab-s3', type: 'esp32-s3', name: 'lab-s3', state: 'offline', rate_credits_per_min: 2, serial: { path: '/dev/ttyACM0' }, session_id: null }] } });
    const r = await run(['session', 'create', '--board-id', 'lab-s3'], env);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('error: Board lab-s3 is offline: its port /dev/ttyACM0 is not there, or another program holds it.');
    expect(r.stderr).toContain('queue for it with --wait 5m, or take any esp32-s3 board with --board esp32-s3');
    expect(r.stderr).not.toContain('wait_s');
  });

  it('flag values the daemon would refuse are refused first, in the words of the flags', async () => {
    const cases: Array<[string[], string]> = [
      [['--board', 'virtual', '--wait', '99999h'], "--wait must be at most 24h; got '99999h'."],
      [['--board', 'x'.repeat(5000)], '--board must be a board type, such as virtual or esp32-s3, at most 128 characters long; got one of 5000 characters.'],
      [['--board', 'virtual', '--idle-timeout', '0'], "--idle-timeout must be at least 1s; got '0'."],
      [['--board', 'virtual', '--metadata', `blob=${'y'.repeat(17_000)}`], '--metadata comes to 17011 bytes as JSON; the limit is 16 KiB (16384 bytes).'],
    ];
    for (const [args, message] of cases) {
      const r = await run(['session', 'create', ...args], env);
      expect(r.code, args.join(' ').slice(0, 40)).toBe(2);
      expect(r.stderr).toContain(`error: ${message}`);
      expect(r.stderr).toMatch(/\nhint: ./);
      expect(r.stderr).not.toMatch(/wait_s|idle_timeout_s|board_type/);
    }
    expect(fake.requests).toEqual([]);
  });
});
