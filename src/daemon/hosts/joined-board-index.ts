// Every joined host's boards, as the coordinator lists them and finds them by id: rebuilt whenever a host registers,
// connects or drops (a handful of hosts and boards; a rebuild is cheaper than keeping two maps in step by hand).
import type { BoardRecord } from '../boards/board-record.js';
import { boardRecordOf } from './joined-boards.js';
import type { HostLink } from './host-link.js';
import type { HostRecord, JoinedBoard } from './host-store.js';

interface IndexedHost {
  record: HostRecord;
  link: HostLink | null;
}

export class JoinedBoardIndex<H extends IndexedHost> {
  private records: BoardRecord[] = [];
  private byBoard = new Map<string, { host: H; board: JoinedBoard }>();

  rebuild(hosts: Iterable<H>): void {
    const records: BoardRecord[] = [];
    const byBoard = new Map<string, { host: H; board: JoinedBoard }>();
    for (const host of hosts) {
      for (const board of host.record.boards) {
        records.push(boardRecordOf(host.record.name, board, host.link !== null));
        byBoard.set(board.id, { host, board });
      }
    }
    this.records = records;
    this.byBoard = byBoard;
  }

  list(): BoardRecord[] {
    return this.records;
  }

  /** The board with this (coordinator) id and the host offering it. */
  entry(id: string): { host: H; board: JoinedBoard } | undefined {
    return this.byBoard.get(id);
  }

  get(id: string): BoardRecord | undefined {
    const entry = this.byBoard.get(id);
    return entry && boardRecordOf(entry.host.record.name, entry.board, entry.host.link !== null);
  }
}
