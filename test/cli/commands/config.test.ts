import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../helpers/io.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync('/tmp/fbay-cc-');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('fbay config', () => {
  it('sets, gets and lists, as text or JSON, without starting a daemon', async () => {
    const env = { FBAY_HOME: home };
    expect(await run(['config', 'set', 'idle_timeout_s', '90'], env)).toEqual({ code: 0, stdout: 'idle_timeout_s = 90\n', stderr: '' });
    expect((await run(['config', 'get', 'idle_timeout_s'], env)).stdout).toBe('90\n');
    expect(JSON.parse((await run(['config', 'get', 'account.balance_credits', '--json'], env)).stdout)).toEqual({
      key: 'account.balance_credits',
      value: null,
    });
    const list = await run(['config', 'list'], env);
    expect(list.stdout).toContain('idle_timeout_s = 90\n');
    expect(list.stdout).toContain('account.balance_credits = none\n');
    expect(list.stdout).toContain('tiers.pro.max_concurrent = 5\n');
    expect(JSON.parse((await run(['config', 'list', '--json'], env)).stdout)).toMatchObject({ idle_timeout_s: 90 });
    expect(existsSync(join(home, 'fbayd.sock'))).toBe(false);
  });

  it('refuses an unknown key or a bad value with exit 2', async () => {
    const env = { FBAY_HOME: home };
    const unknown = await run(['config', 'set', 'colour', 'blue'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown config key 'colour'");
    expect((await run(['config', 'set', 'virtual_boards', 'many'], env)).code).toBe(2);
    expect((await run(['config', 'get', 'colour'], env)).code).toBe(2);
  });
});
