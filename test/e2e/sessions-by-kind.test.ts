// End to end: the built `fbay` against a real daemon with a board session and a real sandbox (bubblewrap, Bun):
// --idempotency-key makes a create safe to retry, whatever its kind, and `session list --kind` lists one kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSandboxHost } from '../daemon/sandboxes/harness.js';
import { assertBuilt, Home } from './helpers.js';

let home: Home;
beforeAll(() => {
  assertBuilt();
  requireSandboxHost();
  home = new Home();
});
afterAll(async () => {
  await home?.cleanup();
});

let sandbox: string;
let board: string;

describe('--idempotency-key', () => {
  it('sandbox create: the same key and flags give the same sandbox; other flags with it exit 5 and say why', async () => {
    const first = await home.json<{ id: string; state: string }>('sandbox', 'create', '--ttl', '10m', '--idempotency-key', 'e2e-sbx-1');
    const again = await home.json<{ id: string }>('sandbox', 'create', '--ttl', '10m', '--idempotency-key', 'e2e-sbx-1');
    expect(first.state).toBe('active');
    expect(again.id).toBe(first.id);
    sandbox = first.id;
    expect((await home.json<{ sessions: { id: string }[] }>('sandbox', 'list')).sessions.map((s) => s.id)).toEqual([sandbox]);

    const other = await home.fbay('--json', 'sandbox', 'create', '--ttl', '20m', '--idempotency-key', 'e2e-sbx-1');
    expect(other.exitCode).toBe(5);
    expect(other.stdout).toBe('');
    expect(other.stderr).toBe(
      `error: Idempotency-Key 'e2e-sbx-1' was already used for a different request (it created ${sandbox}). Use a new key for a new request.\n` +
        'hint: An idempotency key names one request: give a new --idempotency-key for other flags, or the same flags to get the session it made.',
    );
  });

  it('session create: a retry with the key returns the live board session instead of a conflict', async () => {
    const first = await home.json<{ id: string }>('session', 'create', '--board', 'virtual', '--idle-timeout', '10m', '--idempotency-key', 'e2e-board-1');
    const again = await home.json<{ id: string }>('session', 'create', '--board', 'virtual', '--idle-timeout', '10m', '--idempotency-key', 'e2e-board-1');
    expect(again.id).toBe(first.id);
    board = first.id;
    // Without the key the second create is a new request: the account's one live board session is taken (exit 5).
    expect((await home.fbay('session', 'create', '--board', 'virtual')).exitCode).toBe(5);
  });
});

describe('session list --kind', () => {
  it('sandbox: only the sandbox, in the table and with --json; board: only the board session', async () => {
    const table = await home.fbay('session', 'list', '--kind', 'sandbox');
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^ID +STATE +CREATED +EXPIRES +CREDITS +URL\n/);
    expect(table.stdout).toContain(sandbox);
    expect(table.stdout).not.toContain(board);
    const json = await home.json<{ sessions: { id: string; kind: string }[] }>('session', 'list', '--kind', 'sandbox');
    expect(json.sessions.map((s) => [s.id, s.kind])).toEqual([[sandbox, 'sandbox']]);

    const boards = await home.json<{ sessions: { id: string; kind: string }[] }>('session', 'list', '--kind', 'board');
    expect(boards.sessions.map((s) => [s.id, s.kind])).toEqual([[board, 'board']]);
    expect((await home.json<{ sessions: unknown[] }>('session', 'list', '--kind', 'browser')).sessions).toEqual([]);
  });

  it('a kind that is none is exit 2 naming the kinds', async () => {
    expect(await home.fbay('session', 'list', '--kind', 'nope')).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: "error: --kind must be one of board, browser, sandbox; got 'nope'.\nhint: For example: fbay session list --kind sandbox",
    });
  });
});
