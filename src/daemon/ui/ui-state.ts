// state/ui.json (0600): the loopback dashboard's port and its logins, so a restarted daemon serves open pages again.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionRecord } from './ui-sessions.js';

export interface UiState {
  /** The loopback port last served on; null when `fbay ui` was never run. */
  port: number | null;
  sessions: SessionRecord[];
}

const EMPTY: UiState = { port: null, sessions: [] };

const isRecord = (v: unknown): v is SessionRecord => {
  const r = v as Partial<SessionRecord> | null;
  return (
    typeof r === 'object' && r !== null && typeof r.hash === 'string' && typeof r.csrf_hash === 'string' && typeof r.account === 'string' &&
    (r.via === 'token' || r.via === 'key') && typeof r.created_at === 'number' && typeof r.expires_at === 'number'
  );
};

export class UiStateFile {
  readonly file: string;
  #state: UiState;

  constructor(stateDir: string, private readonly log: (message: string) => void) {
    this.file = join(stateDir, 'ui.json');
    this.#state = this.#read();
  }

  get state(): UiState {
    return this.#state;
  }

  update(change: Partial<UiState>): void {
    this.#state = { ...this.#state, ...change };
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(this.#state)}\n`, { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      this.log(`dashboard: could not save ${this.file} (${(err as Error).message}); logins end with this daemon`);
    }
  }

  #read(): UiState {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch {
      return EMPTY;
    }
    try {
      const parsed = JSON.parse(raw) as { port?: unknown; sessions?: unknown };
      const port = Number.isInteger(parsed.port) && (parsed.port as number) > 0 && (parsed.port as number) < 65536 ? (parsed.port as number) : null;
      const sessions = Array.isArray(parsed.sessions) ? parsed.sessions.filter(isRecord) : [];
      return { port, sessions };
    } catch {
      this.log(`dashboard: ${this.file} is not valid JSON; starting with no dashboard logins`);
      return EMPTY;
    }
  }
}
