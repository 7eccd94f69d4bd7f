// A clean board for the next user: after a session, a board with on_end is flashed (or erased) before it is offered
// again. Meanwhile the provider does not offer it; a restore that fails keeps it out of service with the reason.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Clock } from '../../../shared/clock.js';
import type { OnEndConfig } from '../../../shared/config/defaults.js';
import type { BoardRegistry } from '../../boards/board-registry.js';
import { parseOffset, type Argv } from '../../boards/entry-actions.js';
import { runFlashCommand } from '../../flash/flash-command.js';
import { flashImages } from '../../flash/flash-images.js';
import { checkFlashPlan, hex } from '../../flash/flash-plan.js';

export interface BoardRestoreDeps {
  registry: Pick<BoardRegistry, 'get' | 'open'>;
  /** A board's on_end (its config entry's, or virtual_on_end for virtual boards); null: nothing to do. */
  onEnd(boardId: string): OnEndConfig | null;
  /** A board's flash_command, which flashes its on_end images instead of esptool's protocol. */
  flashCommand(boardId: string): Argv | null;
  clock: Clock;
  log(message: string): void;
}

export interface RestoreStatus {
  state: 'flashing' | 'offline';
  reason: string;
}

export class BoardRestore extends EventEmitter<{ change: [] }> {
  /** Boards used by a session since their last restore. */
  readonly #dirty = new Set<string>();
  readonly #running = new Set<string>();
  /** Boards whose restore failed: out of service, with why. */
  readonly #failed = new Map<string, string>();

  constructor(private readonly deps: BoardRestoreDeps) {
    super();
  }

  /** A session got the board: it is restored once that session ends (when it has an on_end). */
  used(boardId: string): void {
    if (this.deps.onEnd(boardId) === null || this.#dirty.has(boardId)) return;
    this.#dirty.add(boardId);
    this.emit('change');
  }

  /** Not to be offered: waiting for its restore, being restored, or failed one. */
  busy(boardId: string): boolean {
    return this.#dirty.has(boardId) || this.#failed.has(boardId);
  }

  /** For the board list: restoring now, or out of service since a restore failed. */
  status(boardId: string): RestoreStatus | null {
    if (this.#running.has(boardId)) return { state: 'flashing', reason: 'restoring it after the last session (on_end)' };
    const failed = this.#failed.get(boardId);
    return failed === undefined ? null : { state: 'offline', reason: failed };
  }

  /** Restores a used board (its session's port is closed by now); resolves when done, never rejects. */
  async run(boardId: string): Promise<void> {
    const onEnd = this.deps.onEnd(boardId);
    if (!this.#dirty.has(boardId) || this.#running.has(boardId)) return;
    if (onEnd === null) return void this.#dirty.delete(boardId);
    this.#running.add(boardId);
    this.emit('change');
    const started = this.deps.clock.now();
    try {
      await this.#restore(boardId, onEnd);
      this.deps.log(`board ${boardId}: restored (on_end) in ${((this.deps.clock.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      const reason = `its on_end restore failed: ${(err as Error).message.replace(/\.$/, '')}. Fix the board or its on_end and restart the daemon to offer it again.`;
      this.#failed.set(boardId, reason);
      this.deps.log(`board ${boardId}: out of service: ${reason}`);
    } finally {
      this.#running.delete(boardId);
      this.#dirty.delete(boardId);
      this.emit('change');
    }
  }

  async #restore(boardId: string, onEnd: OnEndConfig): Promise<void> {
    const board = this.deps.registry.get(boardId);
    if (!board?.online) throw new Error(`board ${boardId} is not connected`);
    const erase = 'erase' in onEnd;
    const inputs = erase ? [] : await Promise.all(onEnd.flash.map(async ([at, file]) => ({ offset: parseOffset(at), data: await readFile(file), name: basename(file), file })));
    const command = this.deps.flashCommand(boardId);
    if (command) {
      if (erase) throw new Error('{"erase": true} needs an ESP ROM; give this board {"flash": [[OFFSET, FILE], ...]} for its flash_command');
      for (const image of inputs) {
        const r = await runFlashCommand(command, { port: board.path, file: image.file, offset: image.offset ?? 0 }, { clock: this.deps.clock, onLine: (l) => this.deps.log(`board ${boardId}: ${l}`) });
        if (r.failure) throw new Error(r.failure);
      }
      return;
    }
    // An erase has no images to check (the plan wants at least one): the whole chip is erased, nothing written.
    const plan = erase ? { images: [] } : checkFlashPlan(inputs, { boardType: board.type });
    const port = await this.deps.registry.open(boardId);
    try {
      await flashImages(port, plan.images, {
        verify: true,
        eraseAll: erase,
        clock: this.deps.clock,
        onProgress: () => undefined,
        onLog: (l) => this.deps.log(`board ${boardId}: ${l}`),
      });
    } finally {
      await port.close();
    }
    if (!erase) this.deps.log(`board ${boardId}: wrote ${plan.images.map((i) => `${i.name} at ${hex(i.offset)}`).join(', ')}`);
  }
}
