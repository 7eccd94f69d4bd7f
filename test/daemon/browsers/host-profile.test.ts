// Profiles: cookies, local storage and IndexedDB saved when a session ends, there again in the next with the same key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../src/transport/protocol/errors.js';
import { PLAIN_SPEC } from '../../../src/daemon/browsers/browser-host.js';
import { openHost, type HostHarness } from './host-harness.js';
import { servePages, type PageServer } from './page-server.js';

let h: HostHarness;
let pages: PageServer;

beforeAll(async () => {
  [h, pages] = await Promise.all([openHost(), servePages()]);
});
afterAll(async () => {
  await h.close();
  await pages.close();
});

const WRITE = `(async () => {
  document.cookie = 'session_cookie=s1; path=/';
  document.cookie = 'kept_cookie=k1; path=/; max-age=86400';
  localStorage.setItem('ls', 'local-value');
  await new Promise((resolve, reject) => {
    const open = indexedDB.open('fbay', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('things');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('things', 'readwrite');
      tx.objectStore('things').put('idb-value', 'key');
      tx.oncomplete = () => { open.result.close(); resolve(); };
    };
  });
})()`;

const READ = `(async () => ({
  cookie: document.cookie.split('; ').sort().join('; '),
  ls: localStorage.getItem('ls'),
  idb: await new Promise((resolve) => {
    const open = indexedDB.open('fbay', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('things');
    open.onsuccess = () => {
      const get = open.result.transaction('things').objectStore('things').get('key');
      get.onsuccess = () => { open.result.close(); resolve(get.result ?? null); };
    };
  }),
}))()`;

async function session(profile: string | null, script: string): Promise<unknown> {
  const { id, browser } = await h.launch({ profile: profile === null ? null : { key: profile } });
  const pw = await h.connect(id);
  const page = pw.contexts()[0]!.pages()[0]!;
  await page.goto(pages.url('/'));
  const out = await page.evaluate(script);
  await pw.close();
  await browser.finish(h.host.artifactsDir(id));
  return out;
}

describe('profile: KEY', () => {
  it('carries cookies (session ones too), local storage and IndexedDB to the next session with the same key only', async () => {
    await session('alice', WRITE);
    const want = { cookie: 'kept_cookie=k1; session_cookie=s1', ls: 'local-value', idb: 'idb-value' };
    expect(await session('alice', READ)).toEqual(want);
    // And again: what a session restored, it saves for the next one.
    expect(await session('alice', READ)).toEqual(want);
    expect(await session('bob', READ)).toEqual({ cookie: '', ls: null, idb: null });
    expect(await session(null, READ)).toEqual({ cookie: '', ls: null, idb: null });
    expect(existsSync(join(h.dirs.root, 'profiles', 'alice', 'cookies.json'))).toBe(true);
  });

  it('is held by one live session at a time', async () => {
    const { browser } = await h.launch({ profile: { key: 'held' } });
    expect(h.host.profileLocked('held')).toBe(true);
    // check() is about what the machine has; the core claims a profile with the session's record. A launch refuses it.
    expect(() => h.host.check({ ...PLAIN_SPEC, profile: { key: 'held' } })).not.toThrow();
    const second = await h.launch({ profile: { key: 'held' } }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ApiError);
    expect(second).toMatchObject({ status: 409, code: 'session_conflict', message: 'The profile held is in use by another live browser session; end that session first, or use another profile key.' });
    await browser.close();
    expect(h.host.profileLocked('held')).toBe(false);
  });

  it('keeps the last saved profile when the browser crashed instead of closing', async () => {
    await session('crashy', WRITE);
    const { id, browser } = await h.launch({ profile: { key: 'crashy' } });
    const pw = await h.connect(id);
    const page = pw.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    await page.evaluate("localStorage.setItem('ls', 'lost-in-the-crash')");
    process.kill(browser.pid, 'SIGKILL');
    await browser.lost;
    await browser.finish(h.host.artifactsDir(id));
    expect(h.logs.join('\n')).toMatch(/profile crashy was not saved: the browser did not close cleanly/);
    expect(await session('crashy', READ)).toMatchObject({ ls: 'local-value', idb: 'idb-value' });
    expect(h.host.profileLocked('crashy')).toBe(false);
  });
});
