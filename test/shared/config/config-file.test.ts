// config.json as the CLI and the daemon read and write it: nested keys by dotted path, atomic 0600 writes that keep
// a hand edit made since, clear errors for a file that does not parse, and no path into an object's prototype.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deletePath, readConfigFile, setPath } from '../../../src/shared/config/config-file.js';
import { ConfigStore } from '../../../src/shared/config-store.js';
import { resolvePaths } from '../../../src/shared/paths.js';

let home: string;
let store: ConfigStore;
const file = () => join(home, 'config.json');
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'fbay-config-'));
  store = new ConfigStore(resolvePaths({ FBAY_HOME: home }));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('ConfigStore', () => {
  it('reads the defaults when there is no file, and writes nested keys to a 0600 file', () => {
    expect(store.read().idle_timeout_s).toBe(30);
    store.set('account.tier', 'pro');
    store.set('idle_timeout_s', 60);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ account: { tier: 'pro' }, idle_timeout_s: 60 });
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(store.read()).toMatchObject({ account: { tier: 'pro' }, idle_timeout_s: 60 });
    expect(readdirSync(home)).toEqual(['config.json']);
  });

  it('keeps what was edited by hand since the last read, and deletes a key with null where that means "unset"', () => {
    store.set('account.balance_credits', 5);
    writeFileSync(file(), JSON.stringify({ ...JSON.parse(readFileSync(file(), 'utf8')), virtual_boards: 3 }));
    store.set('account.balance_credits', null);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ account: {}, virtual_boards: 3 });
  });

  it('reports a file that does not parse, reads the last good config, and refuses to write over it', () => {
    store.set('idle_timeout_s', 45);
    const good = store.read();
    writeFileSync(file(), '{ "idle_timeout_s": ');
    const reading = store.reading(good);
    expect(reading.config.idle_timeout_s).toBe(45);
    expect(reading.problems[0]).toContain('does not parse');
    expect(() => store.set('idle_timeout_s', 50)).toThrow(/does not parse .*fix or remove it/);
    expect(readFileSync(file(), 'utf8')).toBe('{ "idle_timeout_s": ');
  });

  it('reads a top level that is not an object as a problem', () => {
    writeFileSync(file(), '[1, 2]');
    expect(store.reading().problems[0]).toMatch(/not an object/);
  });
});

describe('dotted paths', () => {
  it('never walk into a prototype', () => {
    const config: Record<string, unknown> = {};
    for (const key of ['__proto__.polluted', 'constructor.prototype.polluted', 'a..b', 'prototype']) {
      expect(() => setPath(config, key, 1)).toThrow(/is not a config key/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(config).toEqual({});
  });

  it('replace a value in the way with an object, and delete what is there only', () => {
    const config: Record<string, unknown> = { a: 1, keep: { x: 1 } };
    setPath(config, 'a.b', 2);
    deletePath(config, 'keep.y.z');
    deletePath(config, 'keep.x');
    expect(config).toEqual({ a: { b: 2 }, keep: {} });
  });

  it('read {} from an empty file', () => {
    writeFileSync(file(), '');
    expect(readConfigFile(file())).toEqual({});
  });
});
