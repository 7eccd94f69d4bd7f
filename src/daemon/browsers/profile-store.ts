// Saved browser profiles, one directory per key: local storage and IndexedDB as Chromium wrote them, cookies as CDP
// gave them, and which keys a live session holds.
//
// Storage is kept as files because CDP can read IndexedDB but not write it back. Cookies go through CDP instead
// (Storage.getCookies / setCookies) because Chromium drops session cookies at exit, and a login usually is one.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ApiError } from '../../transport/protocol/errors.js';
import { isProfileKey } from '../../transport/protocol/schemas/browser-options.js';

/** What of a user-data-dir a profile keeps; caches, history and everything else start fresh. */
export const KEPT_PATHS = ['Default/Local Storage', 'Default/IndexedDB', 'Default/WebStorage'];
const FILES = 'user-data';
const COOKIES = 'cookies.json';
/** A host key is `ACCOUNT~KEY` (account names and keys never hold `~`), or a key alone; one directory name either way. */
const HOST_KEY = /^([a-z0-9._-]{1,64}~)?([A-Za-z0-9._-]{1,128})$/;

/** The key as a directory name: checked again here, so no caller can make it reach outside the profiles dir. */
function checked(key: string): string {
  const m = HOST_KEY.exec(key);
  if (!m || !isProfileKey(m[2], 128)) throw new Error(`bug: ${JSON.stringify(key).slice(0, 80)} is not a profile key`);
  return key;
}

export type Cookie = Record<string, unknown>;

export class ProfileStore {
  private readonly held = new Set<string>();

  constructor(readonly root: string) {
    this.recover();
  }

  locked(key: string): boolean {
    return this.held.has(key);
  }

  /** Throws the 409 a create gets when a live session holds the key. */
  assertFree(key: string): void {
    if (this.held.has(key)) {
      throw new ApiError('session_conflict', `The profile ${key} is in use by another live browser session; end that session first, or use another profile key.`);
    }
  }

  /** Holds the key for one live session; returns the release. */
  lock(key: string): () => void {
    checked(key);
    this.assertFree(key);
    this.held.add(key);
    let released = false;
    return () => {
      if (!released) this.held.delete(key);
      released = true;
    };
  }

  /** Copies the profile's saved files into a fresh user-data-dir (nothing for a key never saved). */
  restoreInto(key: string, userDataDir: string): void {
    const saved = join(this.dir(key), FILES);
    for (const rel of KEPT_PATHS) {
      const from = join(saved, rel);
      if (existsSync(from)) cpSync(from, join(userDataDir, rel), { recursive: true });
    }
  }

  cookies(key: string): Cookie[] {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir(key), COOKIES), 'utf8')) as unknown;
      return Array.isArray(parsed) ? (parsed as Cookie[]) : [];
    } catch {
      return [];
    }
  }

  /** Replaces the saved profile with what a cleanly closed browser left; the old one stays until the new one is whole. */
  save(key: string, userDataDir: string, cookies: Cookie[]): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const stamp = randomBytes(4).toString('hex');
    const next = join(this.root, `.new-${key}-${stamp}`);
    const old = join(this.root, `.old-${key}-${stamp}`);
    mkdirSync(join(next, FILES), { recursive: true, mode: 0o700 });
    for (const rel of KEPT_PATHS) {
      const from = join(userDataDir, rel);
      // LOCK files are Chromium's own, for a running browser; a copy must not carry one.
      if (existsSync(from)) cpSync(from, join(next, FILES, rel), { recursive: true, filter: (src) => !src.endsWith('/LOCK') });
    }
    writeFileSync(join(next, COOKIES), JSON.stringify(cookies), { mode: 0o600 });
    const dir = this.dir(key);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(next, dir);
    rmSync(old, { recursive: true, force: true });
  }

  /**
   * A daemon that died mid-save leaves `.new-…` (incomplete: dropped) or, between its two renames, only `.old-…`
   * (the last whole profile: put back).
   */
  private recover(): void {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return;
    }
    for (const name of names) {
      const m = /^\.(new|old)-(.+)-[0-9a-f]{8}$/.exec(name);
      if (!m) continue;
      const path = join(this.root, name);
      if (m[1] === 'old' && !existsSync(join(this.root, m[2]!))) renameSync(path, join(this.root, m[2]!));
      else rmSync(path, { recursive: true, force: true });
    }
  }

  private dir(key: string): string {
    return join(this.root, checked(key));
  }
}

/** A cookie as Storage.getCookies gives it, as Storage.setCookies takes it back. */
export function cookieParam(c: Cookie): Cookie {
  const { name, value, domain, path, secure, httpOnly, sameSite, expires, priority, sourceScheme, sourcePort, partitionKey } = c;
  return {
    name,
    value,
    domain,
    path,
    secure,
    httpOnly,
    ...(sameSite ? { sameSite } : {}),
    // Session cookies (expires -1) stay session cookies in the next browser.
    ...(typeof expires === 'number' && expires > 0 ? { expires } : {}),
    ...(priority ? { priority } : {}),
    ...(sourceScheme ? { sourceScheme } : {}),
    ...(typeof sourcePort === 'number' ? { sourcePort } : {}),
    ...(partitionKey ? { partitionKey } : {}),
  };
}
