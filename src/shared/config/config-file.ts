// config.json on disk: read as it is now (no cache), written whole and atomically (a temporary file renamed over
// it, mode 0600), keys addressed by dotted path. Only own, ordinary keys are walked: `__proto__` and its kind are
// never a path into an object's prototype.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** The file's contents; `{}` when there is no file yet. Throws when it does not parse or is not an object. */
export function readConfigFile(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  if (text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) throw new Error('its top level is not an object');
  return parsed;
}

export function writeConfigFile(path: string, config: Json): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

function segments(key: string): string[] {
  const parts = key.split('.');
  if (parts.some((p) => p === '' || FORBIDDEN.has(p))) throw new Error(`'${key}' is not a config key`);
  return parts;
}

/** Sets `a.b.c` to `value`, making the objects on the way (replacing anything there that is not one). */
export function setPath(config: Json, key: string, value: unknown): void {
  const parts = segments(key);
  let at = config;
  for (const p of parts.slice(0, -1)) {
    const next = Object.hasOwn(at, p) ? at[p] : undefined;
    at = isObject(next) ? next : (at[p] = {} as Json);
  }
  at[parts.at(-1)!] = value;
}

/** Removes `a.b.c`; nothing happens when it is not there. */
export function deletePath(config: Json, key: string): void {
  const parts = segments(key);
  let at: unknown = config;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(at) || !Object.hasOwn(at, p)) return;
    at = at[p];
  }
  if (isObject(at)) delete at[parts.at(-1)!];
}
