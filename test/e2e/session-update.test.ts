// fbay session update: a live session's idle window and budget, extended or shortened, with the built binary.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/transport/protocol/api.js';
import { assertBuilt, Home } from './helpers.js';

beforeAll(assertBuilt);
let home: Home;
beforeEach(() => {
  home = new Home();
});
afterEach(() => home.cleanup());

describe('fbay session update', () => {
  it('moves the idle deadline and the budget of a live session, and refuses what cannot be', async () => {
    const s = await home.json<Session>('session', 'create', '--board', 'virtual', '--idle-timeout', '30s', '--max-credits', '5');
    const longer = await home.json<Session>('session', 'update', '--idle-timeout', '10m', '--max-credits', '50');
    expect(longer).toMatchObject({ id: s.id, idle_timeout_s: 600, max_credits: 50 });
    expect(Date.parse(longer.idle_deadline!) - Date.parse(s.idle_deadline!)).toBeGreaterThan(500_000);
    expect(await home.json<Session>('session', 'update', s.id, '--max-credits', 'none')).toMatchObject({ max_credits: null, expires_at: null });
    const tooSmall = await home.fbay('session', 'update', '--max-credits', '1');
    expect(tooSmall.exitCode).toBe(2);
    expect(tooSmall.stderr).toMatch(/is not above the .* credits this session has used/);
    const nothing = await home.fbay('session', 'update');
    expect(nothing.exitCode).toBe(2);
    await home.fbay('session', 'end');
    const ended = await home.fbay('session', 'update', s.id, '--idle-timeout', '1m');
    expect(ended.exitCode).toBe(5);
    expect(ended.stderr).toMatch(/only a live session can be changed/);
  });
});
