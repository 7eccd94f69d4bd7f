// A joined host as its coordinator holds it: its record, its link while connected, its sessions' lines, its grace.
import { ApiError } from '../../transport/protocol/errors.js';
import type { GraceHost } from './host-grace.js';
import type { HostLink } from './host-link.js';
import type { HostRecord, JoinedBoard } from './host-store.js';
import type { JoinedLine } from './joined-line.js';

export interface Host {
  record: HostRecord;
  link: HostLink | null;
  lines: Map<string, { line: JoinedLine; board: JoinedBoard }>;
  grace: GraceHost['grace'];
}

/** Why a session the host ended ends here: a board that went away is the board's; anything else is the host's. */
export const reasonFromHost = (reason: string) => (reason === 'board_lost' || reason === 'host_shutdown' ? reason : 'host_lost');

/** The host's link if it is up now; null while it is away. */
export function connectedLink(host: Host | undefined): HostLink | null {
  return host?.link?.open ? host.link : null;
}

/** A request about a session whose host is away: a sentence that says it is coming back, not that it is gone. */
export function hostAway(name: string): ApiError {
  return new ApiError('upstream_unavailable', `Host '${name}' is reconnecting; try again once it is back (\`fbay session show\` shows its link).`);
}
