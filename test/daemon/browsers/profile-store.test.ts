// The profile store's files: what a save keeps, cookies as given, and recovery from a save cut short.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cookieParam, ProfileStore } from '../../../src/daemon/browsers/profile-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync('/tmp/fbay-profiles-');
  dirs.push(d);
  return d;
}

function file(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

describe('ProfileStore', () => {
  it('keeps local storage and IndexedDB (without Chromium’s LOCK files) and cookies; nothing else of the user-data-dir', () => {
    const root = join(temp(), 'profiles');
    const ud = temp();
    file(join(ud, 'Default/Local Storage/leveldb/000003.log'), 'ls');
    file(join(ud, 'Default/Local Storage/leveldb/LOCK'), '');
    file(join(ud, 'Default/IndexedDB/http_a_1.indexeddb.leveldb/CURRENT'), 'idb');
    file(join(ud, 'Default/History'), 'history');
    file(join(ud, 'Default/Cache/data_0'), 'cache');
    const store = new ProfileStore(root);
    store.save('k', ud, [{ name: 'c', value: '1', domain: 'a', path: '/', expires: -1, session: true, size: 2 }]);
    const next = temp();
    store.restoreInto('k', next);
    expect(readFileSync(join(next, 'Default/Local Storage/leveldb/000003.log'), 'utf8')).toBe('ls');
    expect(existsSync(join(next, 'Default/Local Storage/leveldb/LOCK'))).toBe(false);
    expect(readFileSync(join(next, 'Default/IndexedDB/http_a_1.indexeddb.leveldb/CURRENT'), 'utf8')).toBe('idb');
    expect(existsSync(join(next, 'Default/History'))).toBe(false);
    expect(existsSync(join(next, 'Default/Cache'))).toBe(false);
    expect(store.cookies('k').map(cookieParam)).toEqual([{ name: 'c', value: '1', domain: 'a', path: '/', secure: undefined, httpOnly: undefined }]);
    expect(store.cookies('never-saved')).toEqual([]);
  });

  it('after a save cut short: drops the half-written copy, and puts back a profile caught between its renames', () => {
    const root = temp();
    file(join(root, '.new-a-0123abcd/user-data/x'), 'half');
    file(join(root, '.old-b-89abcdef/cookies.json'), '[{"name":"kept"}]');
    file(join(root, 'c/cookies.json'), '[{"name":"current"}]');
    file(join(root, '.old-c-00000000/cookies.json'), '[{"name":"stale"}]');
    const store = new ProfileStore(root);
    expect(readdirSync(root).sort()).toEqual(['b', 'c']);
    expect(store.cookies('b')).toEqual([{ name: 'kept' }]);
    expect(store.cookies('c')).toEqual([{ name: 'current' }]);
  });

  it('refuses keys that would leave its directory', () => {
    const store = new ProfileStore(temp());
    expect(() => store.lock('../x')).toThrow(/is not a profile key/);
    expect(() => store.restoreInto('a/../../b', temp())).toThrow(/is not a profile key/);
  });
});
