import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account, BoardList, Health, Session, SessionList } from '../../src/transport/protocol/api.js';
import { VERSION } from '../../src/shared/version.js';
import { assertBuilt, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
beforeEach(() => {
  home = new Home();
});
afterEach(() => home.cleanup());

describe('fbay end to end: the quick start and --json of every command', () => {
  it('creates, lists, shows, waits for and ends a session on a virtual board', async () => {
    const created = await home.json<Session>('session', 'create', '--board', 'virtual', '--metadata', 'job=e2e');
    expect(created.id).toMatch(/^ses_[A-Za-z0-9]{24}$/);
    expect(created).toMatchObject({ state: 'idle', board_type: 'virtual', metadata: { job: 'e2e' } });
    expect(created.ws_url).toBeTruthy();

    const list = await home.json<SessionList>('session', 'list');
    expect(list.sessions.map((s) => s.id)).toEqual([created.id]);
    expect(await home.json<Session>('session', 'show')).toMatchObject({ id: created.id, state: 'idle' });
    expect(await home.json<Session>('session', 'wait', '--state', 'idle')).toMatchObject({ id: created.id });

    const waiting = home.start('--json', 'session', 'wait', created.id, '--state', 'ended');
    const ended = await home.json<Session>('session', 'end');
    expect(ended).toMatchObject({ id: created.id, state: 'ended', end_reason: 'user_ended' });
    const waited = await waiting;
    expect(waited.exitCode).toBe(0);
    expect(JSON.parse(String(waited.stdout))).toMatchObject({ id: created.id, state: 'ended' });

    const again = await home.fbay('--json', 'session', 'end', created.id);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(ended);
    expect((await home.json<SessionList>('session', 'list', '--all')).sessions.map((s) => s.state)).toEqual(['ended']);
  });

  it('prints boards, account, config and daemon objects as JSON', async () => {
    const boards = await home.json<BoardList>('boards');
    expect(boards.boards.filter((b) => b.type === 'virtual').length).toBeGreaterThanOrEqual(2);
    expect(await home.json<Account>('account')).toMatchObject({ account: 'local', tier: 'local' });

    const health = await home.json<Health>('daemon', 'status');
    expect(health).toMatchObject({ version: VERSION, socket: `${home.dir}/fbayd.sock` });
    expect(home.daemonPids()).toEqual([health.pid]);
    expect(await home.json<Health>('daemon', 'start')).toMatchObject({ pid: health.pid });

    expect(await home.json('config', 'set', 'idle_timeout_s', '45')).toEqual({ key: 'idle_timeout_s', value: 45 });
    expect(await home.json('config', 'get', 'idle_timeout_s')).toEqual({ key: 'idle_timeout_s', value: 45 });
    expect(await home.json('config', 'list')).toMatchObject({ idle_timeout_s: 45, virtual_boards: 2 });

    const stopped = await home.json('daemon', 'stop');
    expect(stopped).toEqual({ stopped: true, pid: health.pid });
    expect(home.daemonPids()).toEqual([]);
  });

  it('keeps live sessions across `daemon restart`', async () => {
    const created = await home.json<Session>('session', 'create', '--board', 'virtual');
    const before = await home.json<Health>('daemon', 'status');
    const after = await home.json<Health>('daemon', 'restart');
    expect(after.pid).not.toBe(before.pid);
    expect(home.daemonPids()).toEqual([after.pid]);
    expect((await home.json<Session>('session', 'show', created.id)).state).not.toBe('ended');
  });

  it('exits with the documented codes', async () => {
    const down = await home.fbay('daemon', 'status');
    expect(down.exitCode).toBe(3);
    expect(down.stderr).toContain('hint: Start it with `fbay daemon start`');
    expect(home.daemonPids()).toEqual([]);

    const unknown = await home.fbay('session', 'create', '--board', 'no-such-type');
    expect(unknown.exitCode).toBe(4);
    expect(unknown.stderr).toMatch(/^error: .+\nhint: .+$/); // execa strips the final newline

    const first = await home.json<Session>('session', 'create', '--board', 'virtual');
    const second = await home.fbay('--json', 'session', 'create', '--board', 'virtual');
    expect(second).toMatchObject({ exitCode: 5, stdout: '' });

    const timedOut = await home.fbay('session', 'wait', first.id, '--state', 'active', '--timeout', '300ms');
    expect(timedOut.exitCode).toBe(8);

    expect((await home.fbay('session', 'show', 'ses_000000000000000000000000')).exitCode).toBe(4);
    expect((await home.fbay('session', 'create', '--board', 'virtual', '--idle-timeout', '1.5s')).exitCode).toBe(2);
    expect((await home.fbay('session', 'frobnicate')).exitCode).toBe(2);
  });
});
