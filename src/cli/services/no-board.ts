// Why a create found no board, in the CLI's words: a board asked for by id that is offline or reserved says so
// (the daemon only counts boards), and the next step names the flags a user types, not the API's fields.
import { UserError } from '../../shared/user-error.js';
import type { BoardList, CreateSessionRequest } from '../../transport/protocol/api.js';
import type { DaemonClient } from '../client/daemon-client.js';

/** The error to show for a refused create; anything but no_board_available is returned as it came. */
export async function explainNoBoard(client: DaemonClient, request: CreateSessionRequest, err: unknown): Promise<unknown> {
  if (!(err instanceof UserError) || err.code !== 'no_board_available') return err;
  const queue = 'queue for it with --wait 5m';
  if (request.board_id !== undefined) {
    const { boards } = await client.get<BoardList>('/v1/boards').catch(() => ({ boards: [] as BoardList['boards'] }));
    const board = boards.find((b) => b.id === request.board_id);
    const other = board ? `, or take any ${board.type} board with --board ${board.type}` : '';
    if (board?.state === 'offline') {
      return new UserError(`Board ${board.id} is offline: its port ${board.serial.path} is not there, or another program holds it.`, {
        exit: err.exit,
        code: err.code,
        next: `Check its cable and \`fbay boards\`; ${queue}${other}.`,
      });
    }
    if (board?.state === 'reserved') {
      return new UserError(`Board ${board.id} is reserved by another session.`, { exit: err.exit, code: err.code, next: `Wait for it: ${queue}${other}.` });
    }
  }
  const message = err.message.replace(/\s*Pass wait_s \(`--wait [^`]*`\) to queue for one\.?/, '');
  return new UserError(message, { exit: err.exit, code: err.code, next: 'Queue for one with --wait 5m, or see who holds the boards with `fbay boards`.' });
}
