// On a coordinator: the boards other live coordinators offer (their own and their joined hosts'), as `GET /v1/boards`
// lists them beside its own — a create through this coordinator is passed to the one that has the board.
import type { Board } from '../../transport/protocol/api.js';
import type { BoardRecord } from '../boards/board-registry.js';
import type { FleetBoardRow } from '../sessions/store/pg-fleet.js';

/** What a coordinator records of each of its boards for the others to list (the resources row's `info`). */
export interface BoardInfo {
  rate_credits_per_min: number;
  serial: Board['serial'];
  power?: Board['power'];
}

export function boardInfo(b: BoardRecord, power?: Board['power']): BoardInfo {
  const { path, vid, pid, serial_number, manufacturer, product, location } = b;
  return { rate_credits_per_min: b.rate_credits_per_min, serial: { path, vid, pid, serial_number, manufacturer, product, location }, ...(power ? { power } : {}) };
}

const NO_SERIAL: Board['serial'] = { path: '', vid: null, pid: null, serial_number: null, manufacturer: null, product: null, location: null };

export function fleetBoardView(row: FleetBoardRow, account: string): Board {
  const local = row.id.slice(row.coordinator_id.length + 1);
  const held = row.session_id !== null;
  return {
    id: local,
    type: row.type ?? 'unknown',
    name: row.name ?? local,
    state: !row.online && !held ? 'offline' : held ? (row.session_state === 'flashing' ? 'flashing' : 'reserved') : 'available',
    rate_credits_per_min: row.info?.rate_credits_per_min ?? 1,
    serial: { ...NO_SERIAL, ...row.info?.serial },
    session_id: held && row.session_account === account ? row.session_id : null,
    power: row.info?.power ?? { control: null, state: 'on' },
    reason: null,
    host: row.host,
    coordinator: row.coordinator_id,
  };
}
