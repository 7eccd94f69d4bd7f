// GET /v1/boards: every board this host offers, with whether it is free, and the session holding it if it is yours.
import type { Board } from '../../transport/protocol/api.js';
import type { BoardRecord } from '../boards/board-registry.js';
import type { Route } from '../http/router.js';
import type { SessionEngine } from '../engine/session-engine.js';

export function boardView(b: BoardRecord, holder: string | undefined, visibleHolder: boolean): Board {
  return {
    id: b.id,
    type: b.type,
    name: b.name,
    state: !b.online ? 'offline' : holder ? 'reserved' : 'available',
    rate_credits_per_min: b.rate_credits_per_min,
    serial: { path: b.path, vid: b.vid, pid: b.pid, serial_number: b.serial_number },
    session_id: visibleHolder && holder ? holder : null,
  };
}

export function boardRoutes(engine: SessionEngine, boards: () => BoardRecord[]): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/boards',
      handler: (r) => {
        const holders = engine.holders();
        const list = boards().map((b) => {
          const holder = holders.get(b.id);
          return boardView(b, holder, holder !== undefined && engine.ownerOf(holder) === r.account);
        });
        return { status: 200, body: { boards: list } };
      },
    },
  ];
}
