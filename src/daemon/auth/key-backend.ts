// Where API keys are kept: a file in the state dir (one daemon), or PostgreSQL (every coordinator sees the same keys).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiKeyRecord } from './key-record.js';

export interface KeyBackend {
  /** The keys kept when the daemon starts. */
  initial(): ApiKeyRecord[];
  /** Keeps the whole list (a handful of keys: no need for finer writes). */
  save(keys: ApiKeyRecord[]): void;
  /** Keys another coordinator changed: the whole list as kept now. */
  onChange?(listener: (keys: ApiKeyRecord[]) => void): void;
}

export class FileKeyBackend implements KeyBackend {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'keys.json');
  }

  initial(): ApiKeyRecord[] {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as { keys: ApiKeyRecord[] }).keys : [];
  }

  save(keys: ApiKeyRecord[]): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
