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

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('treats %s as an unknown key, tier or value', async (name) => {
    const env = { FBAY_HOME: home };
    const tier = await run(['config', 'set', 'account.tier', name], env);
    expect(tier.code).toBe(2);
    expect(tier.stderr).toMatch(/tier/);
    expect((await run(['config', 'set', `tiers.${name}.max_concurrent`, '3'], env)).code).toBe(2);
    expect((await run(['config', 'set', name, '1'], env)).code).toBe(2);
    expect((await run(['config', 'get', name], env)).code).toBe(2);
    expect((await run(['config', 'get', `tiers.${name}.max_concurrent`], env)).code).toBe(2);
    for (const args of [['remote', 'use', name], ['remote', 'remove', name]]) {
      const remote = await run(args, env);
      expect(remote.code).toBe(4);
      expect(remote.stderr).toContain(`No remote named '${name}'`);
    }
  });

  it('takes join.url as one coordinator or several separated by commas, and refuses a bad one among them', async () => {
    const env = { FBAY_HOME: home };
    expect((await run(['config', 'set', 'join.url', 'wss://a:7070,wss://b:7070'], env)).stdout).toBe('join.url = wss://a:7070,wss://b:7070\n');
    const bad = await run(['config', 'set', 'join.url', 'wss://a:7070,b:7070'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('several separated by commas');
  });

  it('refuses a TLS path that does not exist', async () => {
    const r = await run(['config', 'set', 'tls.cert', '/nowhere/cert.pem'], { FBAY_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('there is no file at /nowhere/cert.pem');
  });

  it('default_remote can be read and set like any key, as `remote use` writes it', async () => {
    const env = { FBAY_HOME: home };
    expect(JSON.parse((await run(['--json', 'config', 'get', 'default_remote'], env)).stdout)).toEqual({ key: 'default_remote', value: null });
    const unknown = await run(['config', 'set', 'default_remote', 'lab'], env);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain("No remote named 'lab'");
    await run(['remote', 'add', 'lab', 'http://127.0.0.1:1', '--key', `key_${'k'.repeat(32)}`, '--no-check'], env);
    expect(await run(['config', 'set', 'default_remote', 'lab'], env)).toMatchObject({ code: 0, stdout: 'default_remote = lab\n' });
    expect((await run(['config', 'get', 'default_remote'], env)).stdout).toBe('lab\n');
    expect((await run(['remote', 'list'], env)).stdout).toMatch(/^\*\s+lab/m);
    expect(await run(['config', 'set', 'default_remote', 'none'], env)).toMatchObject({ code: 0, stdout: 'default_remote = none\n' });
    expect((await run(['config', 'list'], env)).stdout).toContain('default_remote = none\n');
  });

  it('config set listen says a restart is needed when a daemon is running', async () => {
    const { startFakeDaemon } = await import('../helpers/fake-daemon.js');
    const fake = await startFakeDaemon();
    fake.route('POST', '/v1/config/reload', { status: 204 });
    const r = await run(['config', 'set', 'listen', '0.0.0.0:7070'], { FBAY_HOME: fake.home });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('note: the running daemon reads listen only when it starts: run `fbay daemon restart` to apply it (live sessions are kept).\n');
    await fake.close();
    // No daemon running: it is read at the next start, nothing to say.
    expect((await run(['config', 'set', 'listen', '0.0.0.0:7070'], { FBAY_HOME: home })).stderr).toBe('');
  });
});
