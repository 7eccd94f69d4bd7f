// Which board a session gets: matching, the first-come wait queue, and opening the port (pending → allocating → idle).
import type { CreateSessionRequest, EndReason } from '../../transport/protocol/api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { assertTransition } from './lifecycle.js';
import type { SessionRecord } from './session-record.js';

export interface BoardInfo {
  id: string;
  type: string;
  online: boolean;
  rate_credits_per_min: number;
}

/** The boards this host offers, as the engine needs to see them. */
export interface BoardSource {
  list(): BoardInfo[];
  get(id: string): BoardInfo | undefined;
  knownTypes(): string[];
  rateFor(type: string): number;
}

/** Opens and closes the port behind a session (the daemon wires this to the serial relay). */
export interface PortOpener {
  open(sessionId: string, boardId: string): Promise<void>;
  close(sessionId: string): void;
}

export interface AllocatorHooks {
  started(s: SessionRecord): void;
  /** A started session's port opened again (after a daemon restart). */
  reopened(s: SessionRecord): void;
  failed(s: SessionRecord, reason: EndReason, at: number): void;
  changed(s: SessionRecord): void;
  now(): number;
}

export class BoardAllocator {
  /** board id → the live session holding it. */
  readonly holders = new Map<string, string>();
  private readonly queue: SessionRecord[] = [];
  private readonly opening = new Map<string, Promise<void>>();
  /** Why an open failed, kept only for a create that is waiting to report it. */
  private readonly failures = new Map<string, string>();
  private readonly awaiting = new Set<string>();

  constructor(
    private readonly boards: BoardSource,
    private readonly ports: PortOpener,
    private readonly hooks: AllocatorHooks,
  ) {}

  /** The board type and rate a request asks for; 404 for an unknown type or board. */
  resolve(req: CreateSessionRequest): { type: string; rate_credits_per_min: number } {
    if (req.board_id !== undefined) {
      const board = this.boards.get(req.board_id);
      if (!board) throw new ApiError('not_found', `No board '${req.board_id}' on this host. List boards with \`fbay boards\`.`);
      return { type: board.type, rate_credits_per_min: board.rate_credits_per_min };
    }
    const type = req.board_type!;
    const known = this.boards.knownTypes();
    if (!known.includes(type)) {
      throw new ApiError('not_found', `Unknown board type '${type}'. Known types: ${known.join(', ')}.`, { known_types: known });
    }
    return { type, rate_credits_per_min: this.boards.rateFor(type) };
  }

  freeBoard(s: SessionRecord): BoardInfo | undefined {
    return this.boards
      .list()
      .find((b) => b.online && !this.holders.has(b.id) && (s.wants_board_id ? b.id === s.wants_board_id : b.type === s.board_type));
  }

  noBoard(s: SessionRecord): ApiError {
    const wanted = s.wants_board_id ?? s.board_type;
    const matching = this.boards.list().filter((b) => (s.wants_board_id ? b.id === s.wants_board_id : b.type === s.board_type));
    const busy = matching.filter((b) => this.holders.has(b.id)).length;
    const message = matching.length === 0
      ? `No ${wanted} board is connected to this host.`
      : `All ${matching.length} ${wanted} board${matching.length > 1 ? 's are' : ' is'} busy (${busy} reserved${busy < matching.length ? `, ${matching.length - busy} offline` : ''}).`;
    return new ApiError('no_board_available', `${message} Pass wait_s (\`--wait 5m\`) to queue for one.`, { busy });
  }

  allocate(s: SessionRecord, board: BoardInfo): void {
    assertTransition(s.id, s.state, 'allocating');
    s.state = 'allocating';
    s.board_id = board.id;
    // Boards of one type may differ in rate (config entries): the meter uses the board actually given.
    s.rate_credits_per_min = board.rate_credits_per_min;
    s.wait_until = null;
    this.holders.set(board.id, s.id);
    this.hooks.changed(s);
    this.open(s);
  }

  private open(s: SessionRecord): void {
    const done = this.ports.open(s.id, s.board_id!).then(
      () => {
        if (s.state === 'allocating') this.hooks.started(s);
        else if (s.state === 'ended') this.ports.close(s.id); // ended while the port was opening
        else this.hooks.reopened(s);
      },
      (err: unknown) => {
        if (this.awaiting.has(s.id)) this.failures.set(s.id, err instanceof Error ? err.message : String(err));
        if (s.state !== 'ended') this.hooks.failed(s, s.started_at === null ? 'allocation_failed' : 'board_lost', this.hooks.now());
      },
    );
    this.opening.set(s.id, done);
    void done.finally(() => this.opening.delete(s.id));
  }

  /** Resolves once the session is past `allocating`; a failed open during create becomes a 503 here. */
  async settled(s: SessionRecord): Promise<SessionRecord> {
    this.awaiting.add(s.id);
    await this.opening.get(s.id);
    this.awaiting.delete(s.id);
    const failure = this.failures.get(s.id);
    this.failures.delete(s.id);
    if (failure !== undefined && s.end_reason === 'allocation_failed') {
      const what = failure.includes(s.board_id!) ? failure : `Could not open board ${s.board_id}: ${failure}.`;
      throw new ApiError('no_board_available', `${what.replace(/\.?$/, '.')} Session ${s.id} ended (allocation_failed).`, {
        session_id: s.id,
      });
    }
    return s;
  }

  enqueue(s: SessionRecord): void {
    this.queue.push(s);
  }

  /** Hands free boards to waiting sessions, first come first served. */
  drainQueue(): void {
    for (const s of [...this.queue]) {
      if (s.state !== 'pending') continue;
      const board = this.freeBoard(s);
      if (!board) continue;
      this.queue.splice(this.queue.indexOf(s), 1);
      this.allocate(s, board);
    }
  }

  release(s: SessionRecord): void {
    const i = this.queue.indexOf(s);
    if (i >= 0) this.queue.splice(i, 1);
    if (s.board_id && this.holders.get(s.board_id) === s.id) {
      this.holders.delete(s.board_id);
      this.ports.close(s.id);
    }
  }

  /** After a restart: a live session takes its board back and reopens the port. */
  restore(s: SessionRecord): void {
    if (s.state === 'pending' || !s.board_id) {
      s.state = 'pending';
      this.enqueue(s);
      return;
    }
    this.holders.set(s.board_id, s.id);
    this.open(s);
  }
}
