// Human views of browser sessions: the `browser list` table and the one-session block of `create`/`show`/`end`.
import type { BrowserList, BrowserSession } from '../../transport/protocol/browser-api.js';
import { formatDuration } from '../../shared/duration.js';
import { orDash, relativeTime } from './format.js';
import { renderFields, renderTable } from './table.js';

export function browserStateLine(s: BrowserSession, now = Date.now()): string {
  switch (s.state) {
    case 'queued':
      return s.queue_position ? `queued (#${s.queue_position} for a browser)` : 'queued';
    case 'ready':
      return 'ready (no CDP client connected)';
    case 'active':
      return 'active (a CDP client is connected)';
    case 'failed':
      return `failed: ${orDash(s.failure_reason)}`;
    case 'ended':
      return `ended (${orDash(s.end_reason)}) ${relativeTime(s.ended_at, now)}`;
    default:
      return s.state;
  }
}

export function browserTable(list: BrowserList, all: boolean, now = Date.now()): string {
  const plan = list.plan;
  const quota = plan.monthly_hours === null ? 'no monthly quota' : `${plan.used_hours} of ${plan.monthly_hours} browser hours used this month`;
  const footer = `plan ${plan.plan}: ${plan.max_concurrent} at a time, ${quota}\n`;
  if (list.browsers.length === 0) return `${all ? 'No browser sessions.' : 'No live browser sessions.'}\n${footer}`;
  const rows = list.browsers.map((s) => [
    s.id,
    s.state,
    relativeTime(s.created_at, now),
    s.expires_at ? relativeTime(s.expires_at, now) : '-',
    formatDuration(s.browser_ms),
    s.record.length ? s.record.join(',') : '-',
  ]);
  return renderTable(['id', 'state', 'created', 'expires', 'used', 'record'], rows) + footer;
}

/** The block `browser create` prints; `full` adds what `browser show` and `end` need. */
export function browserDetail(s: BrowserSession, now = Date.now(), full = false): string {
  const fields: [string, string][] = [
    ['id', s.id],
    ['state', browserStateLine(s, now)],
    ['cdp_url', orDash(s.cdp_url)],
    ['expires', s.expires_at ? relativeTime(s.expires_at, now) : `after ${formatDuration(s.max_duration_ms)} once ready`],
  ];
  if (full) {
    fields.push(['created', relativeTime(s.created_at, now)], ['browser', orDash(s.browser_version)], ['used', formatDuration(s.browser_ms)]);
    if (s.record.length > 0) fields.push(['record', s.record.join(', ')]);
    const meta = Object.entries(s.metadata ?? {});
    if (meta.length > 0) fields.push(['metadata', meta.map(([k, v]) => `${k}=${v}`).join(', ')]);
  }
  for (const a of s.artifacts) fields.push([a.kind, a.path]);
  return renderFields(fields);
}
