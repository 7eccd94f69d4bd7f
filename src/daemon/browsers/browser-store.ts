// Persistence of browser sessions and monthly usage: an append-only JSON-lines journal, compacted at start.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BrowserRecord } from './browser-record.js';
import type { UsageEntry } from './browser-usage.js';

export type BrowserJournalRecord = { t: 'b'; s: BrowserRecord } | ({ t: 'u' } & UsageEntry);

export interface BrowserStore {
  load(): { sessions: BrowserRecord[]; usage: UsageEntry[] };
  append(records: BrowserJournalRecord[]): void;
  compact(sessions: Iterable<BrowserRecord>, usage: Iterable<UsageEntry>): void;
  close(): void;
}

export class FileBrowserStore implements BrowserStore {
  private fd: number | null = null;

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }

  load(): { sessions: BrowserRecord[]; usage: UsageEntry[] } {
    const sessions = new Map<string, BrowserRecord>();
    const usage = new Map<string, UsageEntry>();
    if (existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (!line) continue;
        let batch: BrowserJournalRecord[];
        try {
          batch = JSON.parse(line) as BrowserJournalRecord[];
        } catch {
          continue; // a line cut short by a kill mid-write
        }
        for (const r of batch) {
          if (r.t === 'b') sessions.set(r.s.id, r.s);
          else if (r.t === 'u') usage.set(`${r.account} ${r.month}`, { account: r.account, month: r.month, ms: r.ms });
        }
      }
    }
    return { sessions: [...sessions.values()].sort((a, b) => a.created_at - b.created_at), usage: [...usage.values()] };
  }

  append(records: BrowserJournalRecord[]): void {
    if (records.length === 0) return;
    this.fd ??= openSync(this.file, 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify(records)}\n`);
  }

  compact(sessions: Iterable<BrowserRecord>, usage: Iterable<UsageEntry>): void {
    const lines: string[] = [];
    for (const u of usage) lines.push(JSON.stringify([{ t: 'u', ...u }]));
    for (const s of sessions) lines.push(JSON.stringify([{ t: 'b', s }]));
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    this.close();
    renameSync(tmp, this.file);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Keeps nothing on disk: for unit tests of the engine. */
export class MemoryBrowserStore implements BrowserStore {
  readonly records: BrowserJournalRecord[] = [];
  load() {
    const sessions = new Map<string, BrowserRecord>();
    const usage = new Map<string, UsageEntry>();
    for (const r of this.records) {
      if (r.t === 'b') sessions.set(r.s.id, structuredClone(r.s));
      else usage.set(`${r.account} ${r.month}`, { account: r.account, month: r.month, ms: r.ms });
    }
    return { sessions: [...sessions.values()], usage: [...usage.values()] };
  }
  append(records: BrowserJournalRecord[]) {
    for (const r of records) this.records.push(structuredClone(r));
  }
  compact() {}
  close() {}
}
