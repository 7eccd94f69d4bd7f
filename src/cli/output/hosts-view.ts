// `fbay daemon status`'s joined hosts (a coordinator's) and this daemon's own join (a board host's).
import type { HostList, HostStatus, JoinStatus } from '../../transport/protocol/api.js';
import { relativeTime } from './format.js';
import { renderTable } from './table.js';

function linkOf(h: HostStatus, now: number): string {
  if (h.link === 'reconnecting') return `reconnecting (sessions end ${relativeTime(h.grace_deadline, now)})`;
  return h.link === 'away' ? `away since ${relativeTime(h.disconnected_at, now)}` : 'open';
}

export function hostsTable(hosts: readonly HostStatus[], now = Date.now()): string {
  return renderTable(
    ['host', 'boards', 'sessions', 'browsers', 'sandboxes', 'version', 'last heartbeat', 'link'],
    hosts.map((h) => [h.name, String(h.boards), String(h.sessions), String(h.browsers ?? 0), String(h.sandboxes ?? 0), h.version ?? '-', relativeTime(h.last_heartbeat_at, now), linkOf(h, now)]),
  );
}

export function joinLines(j: JoinStatus): string {
  const as = j.host ? ` as host '${j.host}'` : '';
  const state = j.state === 'open' ? `joined${as}` : j.state === 'refused' ? `refused: ${j.error}` : `${j.state}${j.error ? ` (${j.error})` : ''}`;
  const refused = j.refused.map((r) => `  board ${r.id} refused: ${r.reason}\n`).join('');
  return `coordinator ${j.url}: ${state}; ${j.boards} boards offered, ${j.sessions} sessions\n${refused}`;
}

/** What follows the daemon's own fields: its hosts' table and its own join, when it has either. */
export function hostSections(list: HostList | null): string {
  if (!list) return '';
  let out = '';
  if (list.join) out += `\n${joinLines(list.join)}`;
  if (list.hosts.length) out += `\n${hostsTable(list.hosts)}`;
  return out;
}
