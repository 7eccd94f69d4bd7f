import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { effectiveConfig, getConfig, setConfig } from '../../../src/cli/services/config.js';
import { UserError } from '../../../src/shared/user-error.js';
import { startFakeDaemon } from '../helpers/fake-daemon.js';
import { captureIo } from '../helpers/io.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync('/tmp/fbay-cfg-');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const ctxFor = (dir: string) => ({ io: captureIo(), env: { FBAY_HOME: dir }, signal: new AbortController().signal });

describe('config service', () => {
  it('reads defaults, including the tier table and an absent balance', () => {
    const ctx = ctxFor(home);
    expect(getConfig(ctx, 'idle_timeout_s')).toEqual({ key: 'idle_timeout_s', value: 30 });
    expect(getConfig(ctx, 'account.balance_credits')).toEqual({ key: 'account.balance_credits', value: null });
    expect(getConfig(ctx, 'tiers.free.max_concurrent').value).toBe(1);
    expect(effectiveConfig(ctx)).toMatchObject({ virtual_boards: 2, account: { tier: 'local' }, tiers: { pro: { max_concurrent: 5 } } });
  });

  it('refuses an unknown key with exit 2', () => {
    const err = (() => {
      try {
        getConfig(ctxFor(home), 'nope');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exit).toBe(2);
  });

  it('validates and saves a value; with no daemon running it starts none', async () => {
    const ctx = ctxFor(home);
    expect(await setConfig(ctx, 'idle_timeout_s', '60')).toEqual({ key: 'idle_timeout_s', value: 60, daemon: 'not_running' });
    expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))).toEqual({ idle_timeout_s: 60 });
    expect(getConfig(ctx, 'idle_timeout_s').value).toBe(60);
    const bad = await setConfig(ctx, 'idle_timeout_s', 'soon').catch((e: unknown) => e);
    expect((bad as UserError).exit).toBe(2);
    expect((bad as UserError).message).toContain("'soon'");
  });

  it('tells a running daemon which key changed, and reports a daemon that refused', async () => {
    const fake = await startFakeDaemon();
    try {
      fake.route('POST', '/v1/config/reload', { status: 204 });
      const ctx = ctxFor(fake.home);
      expect((await setConfig(ctx, 'account.tier', 'pro')).daemon).toBe('reloaded');
      expect(fake.requests.at(-1)).toMatchObject({ url: '/v1/config/reload', body: { changed: ['account.tier'] } });
      fake.route('POST', '/v1/config/reload', { status: 400, body: { error: 'Cannot apply that.', code: 'invalid_request' } });
      const outcome = await setConfig(ctx, 'virtual_boards', '3');
      expect(outcome.daemon).toBe('failed');
      expect(outcome.daemon === 'failed' && outcome.error.message).toBe('Cannot apply that.');
    } finally {
      await fake.close();
    }
  });
});
