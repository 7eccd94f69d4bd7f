// Carries the journals of earlier versions (one for board sessions, one for browser sessions) into the one journal.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountSnapshot } from '../accounts.js';
import type { UsageEntry } from '../quota-usage.js';
import type { CoreRecord } from '../record.js';
import type { JournalFile } from './journal-file.js';

export const LEGACY_BOARD_JOURNAL = 'journal.jsonl';
export const LEGACY_BROWSER_JOURNAL = join('browsers', 'journal.jsonl');

type LegacyLine = Array<{ t: string; s?: Record<string, unknown>; a?: AccountSnapshot; account?: string; month?: string; ms?: number }>;

function readLegacy(path: string, log: (message: string) => void): LegacyLine[] {
  const out: LegacyLine[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line) return;
    try {
      out.push(JSON.parse(line) as LegacyLine);
    } catch {
      log(`journal: ${path}: dropped line ${i + 1}, cut short by a crash mid-write`);
    }
  });
  return out;
}

/** A record of the earlier board engine, as the core keeps it now. */
function boardRecord(s: Record<string, unknown>): CoreRecord {
  const live = s.state !== 'ended';
  return {
    ...s,
    kind: 'board',
    resource: live && !s.host ? ((s.board_id as string | null) ?? null) : null,
    host: (s.host as string | null | undefined) ?? null,
    link: (s.link as CoreRecord['link'] | undefined) ?? null,
  } as CoreRecord;
}

/** A record of the earlier browser engine: it had no Idempotency-Key on record and no slot. */
function browserRecord(s: Record<string, unknown>): CoreRecord {
  return { idempotency_key: null, request_hash: null, ...s, kind: 'browser', resource: null, host: null, link: null } as CoreRecord;
}

/**
 * On the first start of this version: reads both earlier journals, writes their latest snapshots as the new journal
 * (atomically), then renames the old files to `.migrated` so nothing is read twice and nothing is lost.
 */
export async function migrateLegacyJournals(stateDir: string, target: JournalFile, log: (message: string) => void): Promise<void> {
  if (existsSync(target.path)) return;
  const sources = [LEGACY_BOARD_JOURNAL, LEGACY_BROWSER_JOURNAL].map((p) => join(stateDir, p)).filter((p) => existsSync(p));
  if (sources.length === 0) return;
  const sessions = new Map<string, CoreRecord>();
  const accounts = new Map<string, AccountSnapshot>();
  const usage = new Map<string, UsageEntry>();
  for (const path of sources) {
    for (const batch of readLegacy(path, log)) {
      for (const r of batch) {
        if (r.t === 'session' && r.s) sessions.set(r.s.id as string, boardRecord(r.s));
        else if (r.t === 'b' && r.s) sessions.set(r.s.id as string, browserRecord(r.s));
        else if (r.t === 'account' && r.a) accounts.set(r.a.name, r.a);
        else if (r.t === 'u' && r.account && r.month) usage.set(`${r.account} ${r.month}`, { account: r.account, kind: 'browser', month: r.month, ms: r.ms ?? 0 });
      }
    }
  }
  const lines = [
    ...[...accounts.values()].map((a) => JSON.stringify([{ t: 'a', a }])),
    ...[...usage.values()].map((u) => JSON.stringify([{ t: 'u', u }])),
    ...[...sessions.values()].sort((a, b) => a.created_at - b.created_at).map((s) => JSON.stringify([{ t: 's', s }])),
  ];
  await target.replace(lines);
  for (const path of sources) renameSync(path, `${path}.migrated`);
  log(`journal: carried ${sessions.size} sessions and ${accounts.size} accounts over from ${sources.join(' and ')} (kept as .migrated)`);
}
