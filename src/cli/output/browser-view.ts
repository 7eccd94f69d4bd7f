// Human views of browser sessions: the `browser list` table, the one-session block of `create`/`show`/`end`, and
// what `browser artifacts` wrote.
import type { BrowserList, BrowserSession } from '../../transport/protocol/browser-api.js';
import { formatDuration } from '../../shared/duration.js';
import type { DownloadedArtifacts } from '../services/browser-artifacts.js';
import { artifactList } from '../services/browser-artifacts.js';
import { orDash, relativeTime } from './format.js';
import { renderFields, renderTable } from './table.js';

export function browserStateLine(s: BrowserSession, now = Date.now()): string {
  switch (s.status) {
    case 'queued':
      return s.queuePosition ? `queued (#${s.queuePosition} for a browser)` : 'queued';
    case 'ready':
      return 'ready (no CDP client connected)';
    case 'active':
      return 'active (a CDP client is connected)';
    case 'failed':
      return `failed: ${orDash(s.error)}`;
    case 'ended':
      return `ended (${orDash(s.endReason)}) ${relativeTime(s.endedAt, now)}`;
    default:
      return s.status;
  }
}

/** What it was created with, in a few words: `recording, har, profile p1`. */
function options(s: BrowserSession): string {
  const parts = [...(s.recording ? ['recording'] : []), ...s.record, ...(s.profile ? [`profile ${s.profile}`] : []), ...(s.proxy ? ['proxy'] : []), ...(s.fingerprint ? ['fingerprint'] : [])];
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** `browser list`: the sessions, then the plan and its usage. */
export function browserTable(list: BrowserList, all: boolean, now = Date.now()): string {
  const plan = list.plan;
  const quota = plan.monthlyHours === null ? 'no monthly quota' : `${plan.usedHours} of ${plan.monthlyHours} browser hours used this month`;
  return `${browserSessionsTable(list.browsers, all, now)}plan ${plan.plan}: ${plan.maxConcurrent} at a time, ${quota}\n`;
}

/** The sessions alone (`session list --kind browser`, which has no plan to show). */
export function browserSessionsTable(browsers: readonly BrowserSession[], all: boolean, now = Date.now()): string {
  if (browsers.length === 0) return `${all ? 'No browser sessions.' : 'No live browser sessions.'}\n`;
  // HOST only when a session is mirrored from a remote host, as `session list` does.
  const remote = browsers.some((s) => s.host);
  const rows = browsers.map((s) => [
    s.id,
    ...(remote ? [s.host ?? 'local'] : []),
    s.status,
    relativeTime(s.createdAt, now),
    s.expiresAt ? relativeTime(s.expiresAt, now) : '-',
    formatDuration(s.usedMs),
    options(s),
  ]);
  return renderTable(['id', ...(remote ? ['host'] : []), 'state', 'created', 'expires', 'used', 'options'], rows);
}

/** The block `browser create` prints; `full` adds what `browser show` and `end` need. */
export function browserDetail(s: BrowserSession, now = Date.now(), full = false): string {
  const fields: [string, string][] = [
    ['id', s.id],
    ['state', browserStateLine(s, now)],
    ...(s.host ? ([['host', s.host]] as [string, string][]) : []),
    ['cdpUrl', orDash(s.cdpUrl)],
    ['expires', s.expiresAt ? relativeTime(s.expiresAt, now) : s.endedAt ? '-' : `after ${formatDuration(s.maxDurationMs)} once ready`],
  ];
  if (full) {
    fields.push(['created', relativeTime(s.createdAt, now)], ['browser', orDash(s.browserVersion)], ['used', formatDuration(s.usedMs)]);
    if (options(s) !== '-') fields.push(['options', options(s)]);
    const meta = Object.entries(s.metadata ?? {});
    if (meta.length > 0) fields.push(['metadata', meta.map(([k, v]) => `${k}=${v}`).join(', ')]);
  }
  for (const a of artifactList(s)) fields.push([a.name, a.path]);
  if (artifactList(s).length > 0) fields.push(['download', `fbay browser artifacts ${s.id} [--out DIR]`]);
  return renderFields(fields);
}

export function artifactsWritten(d: DownloadedArtifacts): string {
  if (d.files.length === 0) return `Browser session ${d.id} has no artifacts (create one with --recording or --record screenshots,har,consoleLogs).\n`;
  const rows = d.files.map((f) => [f.path, String(f.bytes), f.contentType]);
  return renderTable(['file', 'bytes', 'type'], rows);
}
