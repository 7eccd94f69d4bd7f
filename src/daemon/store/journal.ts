// The engine's persistence: an append-only JSON-lines journal of snapshots, replayed and compacted at start.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionRecord } from '../engine/session-record.js';
import type { AccountSnapshot } from '../engine/accounts.js';

export type JournalRecord = { t: 'session'; s: SessionRecord } | { t: 'account'; a: AccountSnapshot };

/** Where the engine keeps its state. A file journal today; DESIGN §7's PostgreSQL store implements the same. */
export interface SessionStore {
  /** Latest snapshot of every session and account, oldest session first. */
  load(): { sessions: SessionRecord[]; accounts: AccountSnapshot[] };
  /** Records that belong together are written in one write, so a kill never separates them. */
  append(records: JournalRecord[]): void;
  /** Replaces the journal with just these snapshots. */
  compact(sessions: Iterable<SessionRecord>, accounts: Iterable<AccountSnapshot>): void;
  close(): void;
}

export class FileJournal implements SessionStore {
  private readonly file: string;
  private fd: number | null = null;
  appendedSinceCompact = 0;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.file = join(stateDir, 'journal.jsonl');
  }

  load(): { sessions: SessionRecord[]; accounts: AccountSnapshot[] } {
    const sessions = new Map<string, SessionRecord>();
    const accounts = new Map<string, AccountSnapshot>();
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line) continue;
        let batch: JournalRecord[];
        try {
          batch = JSON.parse(line) as JournalRecord[];
        } catch {
          continue; // a line cut short by a crash mid-write: everything before it stands
        }
        for (const r of batch) {
          if (r.t === 'session') sessions.set(r.s.id, r.s);
          else if (r.t === 'account') accounts.set(r.a.name, r.a);
        }
      }
    }
    const ordered = [...sessions.values()].sort((a, b) => a.created_at - b.created_at);
    return { sessions: ordered, accounts: [...accounts.values()] };
  }

  append(records: JournalRecord[]): void {
    if (records.length === 0) return;
    this.fd ??= openSync(this.file, 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify(records)}\n`);
    this.appendedSinceCompact++;
  }

  compact(sessions: Iterable<SessionRecord>, accounts: Iterable<AccountSnapshot>): void {
    const lines: string[] = [];
    for (const a of accounts) lines.push(JSON.stringify([{ t: 'account', a }]));
    for (const s of sessions) lines.push(JSON.stringify([{ t: 'session', s }]));
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    this.close();
    renameSync(tmp, this.file);
    this.appendedSinceCompact = 0;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** A journal that keeps nothing: for unit tests of the engine. */
export class MemoryStore implements SessionStore {
  readonly records: JournalRecord[] = [];
  load() {
    const sessions = new Map<string, SessionRecord>();
    const accounts = new Map<string, AccountSnapshot>();
    for (const r of this.records) {
      if (r.t === 'session') sessions.set(r.s.id, structuredClone(r.s));
      else accounts.set(r.a.name, structuredClone(r.a));
    }
    return { sessions: [...sessions.values()], accounts: [...accounts.values()] };
  }
  append(records: JournalRecord[]) {
    for (const r of records) this.records.push(structuredClone(r));
  }
  compact() {}
  close() {}
}
