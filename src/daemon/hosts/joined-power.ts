// Switching the power of a session's board on a joined host: a request over its tunnel, run there by the host's own
// SessionPower (the board entry's argv or uhubctl, or a virtual board's), and the session here told it is off or on.
import { ApiError } from '../../transport/protocol/errors.js';
import type { PowerAction, PowerReply } from '../../transport/protocol/flash-api.js';
import { checkSwitchable } from '../power/session-power.js';
import type { BoardProvider } from '../providers/board/board-provider.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import { hostAway } from './joined-host.js';
import type { JoinedHosts } from './joined-hosts.js';

/** A power command may take its time (and a cycle waits for the board to leave the bus and come back). */
const POWER_TIMEOUT_MS = 60_000;

export interface JoinedPowerDeps {
  hosts: Pick<JoinedHosts, 'linkTo'>;
  boards: Pick<BoardProvider, 'powerSwitched'>;
  /** Sessions with a flash running: power is not switched under a flash. */
  flashing(sessionId: string): boolean;
}

export class JoinedPower {
  constructor(private readonly deps: JoinedPowerDeps) {}

  async run(s: BoardRecord, action: PowerAction): Promise<PowerReply> {
    checkSwitchable(s, this.deps.flashing(s.id));
    const link = this.deps.hosts.linkTo(s.board_host ?? '');
    if (!link) throw hostAway(s.board_host ?? 'unknown');
    const { power } = await link.call({ op: 'power', session: s.id, action }, POWER_TIMEOUT_MS);
    if (!power) throw new ApiError('upstream_unavailable', `Host '${link.host}' said it switched the power but not how it left it; \`fbay power ${action}\` again.`);
    // Off here too: a flash is refused while it is off, and the session keeps the board as its host does.
    this.deps.boards.powerSwitched(s, power.power === 'on');
    return { ...power, session_id: s.id };
  }
}
