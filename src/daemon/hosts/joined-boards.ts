// How a joined host's boards are named and listed on the coordinator: their ids, and the registry's board records.
import type { BoardRecord } from '../boards/board-record.js';
import type { TunnelBoard } from '../../transport/tunnel/messages.js';
import type { JoinedBoard } from './host-store.js';

/**
 * A real board keeps its id everywhere (it comes from its USB serial number, so a board moved to another host is
 * the same board); a virtual board is numbered alike on every machine, so it is listed as `HOST.virtual-N`.
 */
export function coordinatorId(host: string, board: Pick<TunnelBoard, 'id' | 'type'>): string {
  return board.type === 'virtual' ? `${host}.${board.id}` : board.id;
}

export function joinedBoards(host: string, boards: readonly TunnelBoard[]): JoinedBoard[] {
  return boards.map((b) => ({ ...b, id: coordinatorId(host, b), local_id: b.id }));
}

/** The board as the coordinator's registry lists it: reservable only while its host is connected and it is free there. */
export function boardRecordOf(host: string, b: JoinedBoard, connected: boolean): BoardRecord {
  return Object.freeze({
    id: b.id,
    type: b.type,
    name: b.name,
    path: b.serial.path,
    vid: b.serial.vid,
    pid: b.serial.pid,
    serial_number: b.serial.serial_number,
    manufacturer: b.serial.manufacturer,
    product: b.serial.product,
    location: b.serial.location,
    rate_credits_per_min: b.rate_credits_per_min,
    // Baud and resets run on the host, next to the board.
    baud_rate: 0,
    reset_style: null,
    reset_custom: null,
    online: connected && b.online && !b.held,
    host,
    held_on_host: connected && b.online && b.held,
    ...(b.flash !== undefined ? { flash: b.flash } : {}),
    ...(b.power ? { power: b.power } : {}),
  });
}

/** What a host offers of its registry: every board, `held` when one of the host's own sessions has it. */
export function tunnelBoard(b: BoardRecord, held: boolean): TunnelBoard {
  return {
    id: b.id,
    type: b.type,
    name: b.name,
    rate_credits_per_min: b.rate_credits_per_min,
    online: b.online,
    held,
    serial: { path: b.path, vid: b.vid, pid: b.pid, serial_number: b.serial_number, manufacturer: b.manufacturer, product: b.product, location: b.location },
  };
}
