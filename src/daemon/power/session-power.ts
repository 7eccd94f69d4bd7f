// `POST /v1/sessions/{id}/power` on this host: the board entry's power (argv or uhubctl) or a virtual board's, with
// the session kept while its user has the power off (a board that leaves the bus then is not lost).
import type { Clock } from '../../shared/clock.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { PowerAction, PowerReply } from '../../transport/protocol/flash-api.js';
import type { BoardRegistry } from '../boards/board-registry.js';
import type { EntryActions } from '../boards/entry-actions.js';
import type { BoardProvider } from '../providers/board/board-provider.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import { PowerError, runPower, type PowerResult } from './power-action.js';
import { sysfsPresence } from './usb-presence.js';
import { runVirtualPower } from './virtual-power.js';

export type PowerControl = 'argv' | 'uhubctl' | 'virtual';

export interface SessionPowerDeps {
  registry: Pick<BoardRegistry, 'get' | 'virtualDevice'>;
  actions(boardId: string): EntryActions;
  boards: Pick<BoardProvider, 'powerSwitched'>;
  /** Sessions with a flash running: power is not switched under a flash. */
  flashing(sessionId: string): boolean;
  clock: Clock;
  log(message: string): void;
}

/** Refuses a session whose board's power cannot be switched now, wherever the board is. */
export function checkSwitchable(s: BoardRecord, flashing: boolean): void {
  if (s.state === 'ended') throw new ApiError('not_found', `Session ${s.id} has ended (${s.end_reason}); its board is not yours to switch.`);
  if (s.state === 'pending' || s.state === 'allocating') throw new ApiError('session_conflict', `Session ${s.id} is ${s.state}: it has no board yet.`);
  if (flashing) throw new ApiError('flash_in_progress', `Session ${s.id}'s board is being flashed; switch its power once the flash is done.`);
}

export class SessionPower {
  /** Boards whose user switched them off, until switched on again. */
  readonly #off = new Set<string>();

  constructor(private readonly deps: SessionPowerDeps) {}

  /** How fbay switches a board's power; null when it cannot. */
  control(boardId: string): PowerControl | null {
    if (this.deps.registry.virtualDevice(boardId)) return 'virtual';
    const power = this.deps.actions(boardId).power;
    if (!power) return null;
    return 'uhubctl' in power ? 'uhubctl' : 'argv';
  }

  state(boardId: string): 'on' | 'off' {
    return this.#off.has(boardId) ? 'off' : 'on';
  }

  async run(s: BoardRecord, action: PowerAction): Promise<PowerReply> {
    checkSwitchable(s, this.deps.flashing(s.id));
    const board = this.deps.registry.get(s.board_id ?? '');
    if (!board) throw new ApiError('session_conflict', `Session ${s.id}'s board ${s.board_id} is not on this host any more.`);
    const device = this.deps.registry.virtualDevice(board.id);
    const config = this.deps.actions(board.id).power;
    if (!device && !config) {
      throw new ApiError(
        'invalid_request',
        `Board ${board.id} has no power control: give its config entry a power field (argv for on/off/cycle, or uhubctl: {location, port}); see the README's Power section.`,
      );
    }
    // Held before the switch: the board may leave the bus before the command returns.
    if (action !== 'on') this.deps.boards.powerSwitched(s, false);
    let result: PowerResult;
    try {
      result = device ? await runVirtualPower(device, action, this.deps.clock) : await runPower(config!, action, { clock: this.deps.clock, presence: sysfsPresence(board) });
    } catch (err) {
      // Whatever half happened, the session goes on with the grace as usual.
      if (!this.#off.has(board.id)) this.deps.boards.powerSwitched(s, true);
      const message = err instanceof PowerError ? err.message : `Power ${action} failed: ${(err as Error).message}.`;
      this.deps.log(`session ${s.id}: ${message}`);
      throw new ApiError('power_failed', message, { output: err instanceof PowerError ? (err.result?.tail ?? []) : [] });
    }
    if (action === 'off') this.#off.add(board.id);
    else {
      this.#off.delete(board.id);
      this.deps.boards.powerSwitched(s, true);
    }
    this.deps.log(`session ${s.id}: power ${action} on ${board.id} (${result.verified}${result.why ? `: ${result.why}` : ''})`);
    return { session_id: s.id, action, verified: result.verified, why: result.why, output: result.output, power: this.state(board.id) };
  }
}
