// What `fbay daemon status` shows of each joined host (GET /v1/hosts): one function, so another store can build the
// same rows from its own tables.
import type { HostStatus } from '../../transport/protocol/api.js';
import { iso } from '../sessions/record.js';
import type { HostRecord } from './host-store.js';

/** What a status row reads of a joined host. */
export interface HostState {
  record: HostRecord;
  link: unknown;
  lines: { size: number };
  browsers: number;
  sandboxes: number;
  grace: { deadline: number } | null;
}

export function statusOf(host: HostState, now: number): HostStatus {
  const r = host.record;
  return {
    name: r.name,
    link: host.link ? 'open' : host.grace && host.grace.deadline > now ? 'reconnecting' : 'away',
    version: r.version,
    boards: r.boards.length,
    board_ids: r.boards.map((b) => b.id),
    sessions: host.lines.size,
    browsers: host.link ? host.browsers : 0,
    sandboxes: host.link ? host.sandboxes : 0,
    last_heartbeat_at: iso(r.last_heartbeat_at),
    connected_at: iso(r.connected_at),
    disconnected_at: iso(r.disconnected_at),
    grace_deadline: host.link ? null : iso(host.grace?.deadline),
  };
}
