// A joined host as its coordinator holds it: its record, its link while connected, its sessions' lines, its grace;
// and what the coordinator's JoinedHosts is given and tells.
import type { Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import type { LinkState } from '../sessions/record.js';
import type { GraceHost } from './host-grace.js';
import type { HostLink } from './host-link.js';
import type { HostStreams } from './host-streams.js';
import type { HostRecord, HostStore, JoinedBoard } from './host-store.js';
import type { JoinedLine } from './joined-line.js';

export interface JoinedHostsOptions {
  store: HostStore;
  clock: Clock;
  graceS(): number;
  /** Whether the coordinator has a board of its own with this id (a host may not take it). */
  localBoard(id: string): boolean;
  log(message: string): void;
  heartbeatMs?: number;
  /**
   * A session the host holds that this coordinator does not run: true once this coordinator runs it from now on (it
   * was another's, and the host failed over here), false when it is not one to keep (ended, unknown).
   */
  claim?(session: string, host: string): Promise<boolean>;
}

export interface JoinedHostsEvents {
  /** Boards came, went, or changed state. */
  change: [];
  link: [session: string, link: LinkState, host: string];
  end: [session: string, reason: string, at: number];
  notice: [session: string, message: ServerMessage];
  /** A session's flash job, as its host has it now. */
  job: [session: string, job: FlashJob, host: string];
  /** A host registered (its tunnel is up, its boards and browsers known). */
  joined: [host: string];
  /** A host's tunnel dropped (what runs there that has no line asks for its grace with `expect`). */
  left: [host: string];
  /** A host did not come back within the grace: what ran there is lost (`heard`: its last heartbeat). */
  lost: [host: string, heard: number];
}

export interface Host {
  record: HostRecord;
  link: HostLink | null;
  lines: Map<string, { line: JoinedLine; board: JoinedBoard }>;
  grace: GraceHost['grace'];
  /** Browsers it runs at once for this coordinator, as its hello said (0: none). */
  browsers: number;
  sandboxes: number;
  /** Streams into its API server, while its link is up. */
  streams: HostStreams | null;
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

/** A session the host holds that this coordinator does not run: taken over (another ran it), else let go on the host. */
export async function claimOrRelease(link: HostLink, session: string, o: Pick<JoinedHostsOptions, 'claim' | 'log'>): Promise<void> {
  let taken: boolean;
  try {
    taken = (await o.claim?.(session, link.host)) ?? false;
  } catch (err) {
    // Not known either way (the store is away): the host keeps it, and says so again with its next hello.
    return o.log(`host ${link.host}: could not tell whether to take over session ${session}: ${(err as Error).message}`);
  }
  if (!taken && link.open) link.request({ op: 'release', session }).catch(() => undefined);
}
