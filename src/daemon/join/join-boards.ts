// What a joined host offers its coordinator: every board of its own registry, marked `held` while one of its own
// (not the coordinator's) sessions has it, with how it is flashed and powered; offered again whenever that changes.
import type { TunnelBoard } from '../../transport/tunnel/messages.js';
import type { BoardRecord, BoardRegistry } from '../boards/board-registry.js';
import type { FlashJobs } from '../flash/flash-jobs.js';
import type { SessionPower } from '../power/session-power.js';
import { tunnelBoard } from '../hosts/joined-boards.js';
import type { SessionCore } from '../sessions/session-core.js';
import { JOIN_ACCOUNT } from './join-sessions.js';

export class JoinBoards {
  private last = '';
  private pending: NodeJS.Immediate | null = null;
  private readonly onChange = () => this.changed();
  private readonly onEvent = (e: { type: string }) => e.type === 'state' && this.changed();

  constructor(
    private readonly core: SessionCore,
    private readonly registry: BoardRegistry,
    /** How the host flashes and powers a board (its config entry's business, not the registry's). */
    private readonly upkeep: (b: BoardRecord) => Pick<TunnelBoard, 'flash' | 'power'>,
    private readonly offerAgain: (boards: TunnelBoard[]) => void,
  ) {
    registry.on('change', this.onChange);
    core.on('event', this.onEvent);
  }

  /** The boards now (and what was offered last, so an unchanged listing is not sent again). */
  offer(): TunnelBoard[] {
    const holders = this.core.holders();
    const boards = this.registry.list().map((b) => {
      const holder = holders.get(b.id);
      return { ...tunnelBoard(b, holder !== undefined && holder.account !== JOIN_ACCOUNT), ...this.upkeep(b) };
    });
    this.last = JSON.stringify(boards);
    return boards;
  }

  private changed(): void {
    // Many changes at once (a hotplug scan, a burst of session events) are offered as one listing.
    this.pending ??= setImmediate(() => {
      this.pending = null;
      const before = this.last;
      const boards = this.offer();
      if (this.last !== before) this.offerAgain(boards);
    });
  }

  close(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = null;
    this.registry.off('change', this.onChange);
    this.core.off('event', this.onEvent);
  }
}

/** How the host flashes and powers each board, as its offer says. */
export function upkeepOf(o: { flashes: FlashJobs; power: SessionPower }): (b: BoardRecord) => Pick<TunnelBoard, 'flash' | 'power'> {
  return (b) => ({ flash: o.flashes.methodOf(b), power: { control: o.power.control(b.id), state: o.power.state(b.id) } });
}
