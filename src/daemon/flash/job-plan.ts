// How a board is flashed and what a job will write: the ROM's plan checks or a flash_command's, the same wherever
// they run — on the host next to the board, or first on a coordinator, so an upload the host would refuse never
// crosses the tunnel.
import { ApiError } from '../../transport/protocol/errors.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import { chipIdForBoardType } from './chips.js';
import { checkFlashPlan, DEFAULT_FLASH_SIZE, type ImageInput } from './flash-plan.js';

export type FlashMethod = 'rom' | 'command';

/** What a flash_command board may be sent at once (fbay does not know its flash size). */
export const COMMAND_UPLOAD_LIMIT = 16 * 1024 * 1024;

export interface FlashRequest {
  verify: boolean;
  eraseAll: boolean;
  force: boolean;
  baud?: number;
}

export type PlannedJobImage = ImageInput & { offset: number; description: string };

/** Its entry's flash_command when it has one, else the ESP ROM where its type has one; null: fbay cannot flash it. */
export function flashMethodOf(type: string, flashCommand: readonly string[] | null | undefined): FlashMethod | null {
  if (flashCommand) return 'command';
  return chipIdForBoardType(type) !== null ? 'rom' : null;
}

/** The most one upload may carry: the flash of an ESP, or a generous bound for a flash_command. */
export function uploadLimit(method: FlashMethod): number {
  return method === 'rom' ? DEFAULT_FLASH_SIZE : COMMAND_UPLOAD_LIMIT;
}

/** Refuses a session that cannot be flashed now, whoever runs its jobs: over, without a board yet, busy, switched off. */
export function checkFlashable(s: BoardRecord, running: boolean): void {
  if (s.state === 'ended') throw new ApiError('not_found', `Session ${s.id} has ended (${s.end_reason}); only a live session's board can be flashed. Create one with \`fbay session create\`.`);
  if (s.state === 'pending' || s.state === 'allocating') {
    throw new ApiError('session_conflict', `Session ${s.id} is ${s.state}: it has no board yet. Wait with \`fbay session wait ${s.id} --state idle\`.`);
  }
  if (running) throw new ApiError('flash_in_progress', `Session ${s.id}'s board is already being flashed; wait for that flash to finish (\`fbay flash\` shows it).`);
  if (s.power_off_at != null) throw new ApiError('session_conflict', `Session ${s.id}'s board is powered off; switch it on first with \`fbay power on ${s.id}\`.`);
}

export function cannotFlash(board: { id: string; type: string }): ApiError {
  return new ApiError(
    'invalid_request',
    `Board ${board.id} is a ${board.type}, which has no ESP ROM for fbay to flash: give its config entry a flash_command (argv with {port}, {file}, {offset}, e.g. ["picotool", "load", "{file}", "-x"]).`,
  );
}

/** The images at their offsets, or a 400 with the sentence that says what is wrong (before any board is touched). */
export function planJob(method: FlashMethod, board: { id: string; type: string }, inputs: ImageInput[], req: Pick<FlashRequest, 'eraseAll' | 'force'>): { images: PlannedJobImage[]; forced: string[] } {
  if (method === 'rom') {
    const plan = checkFlashPlan(inputs, { boardType: board.type, force: req.force });
    return { images: plan.images, forced: plan.forced };
  }
  if (req.eraseAll) throw new ApiError('invalid_request', `--erase-all needs an ESP ROM; board ${board.id} is flashed by its flash_command, which erases as it sees fit.`);
  const images = inputs.map((i) => {
    if (i.data.length === 0) throw new ApiError('invalid_request', `'${i.name}' is empty (0 bytes): nothing to flash. Check the path, or build it again.`);
    return { ...i, offset: i.offset ?? 0, description: 'file' };
  });
  return { images, forced: [] };
}
