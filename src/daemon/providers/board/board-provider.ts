// Board sessions' provider: which boards fit a request, opening and closing their ports, the re-enumeration grace.
import type { CreateSessionRequest } from '../../../transport/protocol/api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { BoardRegistry } from '../../boards/board-registry.js';
import { boardType } from '../../boards/board-types.js';
import { Provider, StartFailure, type Admission, type Admitted } from '../../sessions/provider.js';
import type { SessionPorts } from '../../serial/session-ports.js';
import { ResourceNames } from '../../sessions/resource-names.js';
import type { BoardRecord } from './board-record.js';
import type { BoardRestore } from './board-restore.js';
import type { LinkState } from '../../sessions/record.js';

/** What the provider needs of the boards: the registry's listing (with joined hosts' on a coordinator) and its changes. */
export interface BoardSource extends Pick<BoardRegistry, 'list' | 'get' | 'types'> {
  on(event: 'change', listener: () => void): unknown;
}
/** What it needs of the serial lines: open and close a board's, their clients, and their events. */
export type BoardLines = Pick<SessionPorts, 'openBoard' | 'close' | 'has' | 'on' | 'clientsOf'>;
/** What it needs of on_end restores: whether a board is out of service, marking one used, restoring it. */
export type BoardUpkeep = Pick<BoardRestore, 'busy' | 'used' | 'run' | 'on'>;

/** Joined hosts' links, on a coordinator: a host reconnecting (its sessions' `link`), or lost past its grace. */
export interface HostLinks {
  on(event: 'link', listener: (id: string, link: LinkState) => void): unknown;
  on(event: 'end', listener: (id: string, reason: string, at: number) => void): unknown;
  /** The session went with its host to another coordinator: its line here closes without a word to the host. */
  letGo(session: string): void;
}

export interface BoardProviderDeps {
  registry: BoardSource;
  ports: BoardLines;
  restore: BoardUpkeep;
  hosts?: HostLinks;
  /** The default idle window (config idle_timeout_s). */
  idleTimeoutS(): number;
  now(): number;
  log(message: string): void;
  /** How the store names this daemon's boards (a coordinator's carry its name). */
  names?: ResourceNames;
}

export class BoardProvider extends Provider<BoardRecord> {
  /** Sessions whose end came while their port was still opening: it is closed as soon as it opens. */
  private readonly stopped = new Set<string>();
  private readonly names: ResourceNames;
  /** Sessions whose board is being flashed: clients coming and going do not move them. */
  private readonly flashing = new Set<string>();
  /** Ended sessions' ports closing, then their boards' on_end restores: a stopping daemon waits for them. */
  private readonly afterEnd = new Set<Promise<void>>();

  constructor(private readonly deps: BoardProviderDeps) {
    super();
    this.names = deps.names ?? new ResourceNames(null);
    deps.ports.on('clients', (id, count) => {
      // The core moves idle ⇄ active; a flash in progress keeps its state until flashEnded() moves it back.
      if (!this.flashing.has(id)) this.emit('update', id, {}, count > 0 ? 'active' : 'idle');
    });
    deps.restore.on('change', () => (this.byType.clear(), this.emit('resources')));
    deps.ports.on('lost', (id) => this.emit('update', id, { board_lost_at: deps.now() }));
    deps.ports.on('back', (id) => this.emit('update', id, { board_lost_at: null }));
    deps.registry.on('change', () => (this.byType.clear(), this.emit('resources')));
    deps.hosts?.on('link', (id, link) => this.emit('update', id, { link }));
    deps.hosts?.on('end', (id, reason, at) => this.emit('end', id, reason, at));
  }

  admit({ request, limits, now }: Admission): Admitted<BoardRecord> {
    const req = request as CreateSessionRequest;
    const { type, rate } = this.resolve(req);
    return {
      fields: {
        kind: 'board',
        board_type: type,
        wants_board_id: req.board_id ?? null,
        board_id: null,
        started_at: null,
        idle_timeout_s: req.idle_timeout_s ?? this.deps.idleTimeoutS(),
        idle_since: null,
        board_lost_at: null,
        wait_until: req.wait_s ? now + req.wait_s * 1000 : null,
        max_session_s: limits.board.max_session_s,
        max_credits: req.max_credits ?? null,
        rate_credits_per_min: rate,
        upstream_credits: null,
        metadata: req.metadata ?? {},
      },
      resources: this.fitting(req.board_id ?? null, type),
      queue: (req.wait_s ?? 0) > 0,
    };
  }

  /** The board type and rate a request asks for; 404 for an unknown type or board. */
  private resolve(req: CreateSessionRequest): { type: string; rate: number } {
    if (req.board_id !== undefined) {
      const board = this.deps.registry.get(req.board_id);
      if (!board) throw new ApiError('not_found', `No board '${req.board_id}' on this host. List boards with \`fbay boards\`.`);
      return { type: board.type, rate: board.rate_credits_per_min };
    }
    const type = req.board_type!;
    const known = this.deps.registry.types();
    if (!known.includes(type)) {
      throw new ApiError('not_found', `Unknown board type '${type}'. Known types: ${known.join(', ')}.`, { known_types: known });
    }
    const rate = this.deps.registry.list().find((b) => b.type === type)?.rate_credits_per_min ?? boardType(type)?.rate_credits_per_min ?? 1;
    return { type, rate };
  }

  /**
   * Online boards that fit, in the registry's order; a board waiting for (or failing) its on_end restore does not.
   * Kept per type until the boards or a restore change: with 1,000 boards, a create costs no pass over all of them.
   */
  private fitting(boardId: string | null, type: string): string[] {
    if (boardId) return this.usable().filter((b) => b.id === boardId).map((b) => b.id);
    let ids = this.byType.get(type);
    if (!ids) this.byType.set(type, (ids = this.usable().filter((b) => b.type === type).map((b) => b.id)));
    return ids;
  }

  private readonly byType = new Map<string, string[]>();

  private usable() {
    return this.deps.registry.list().filter((b) => b.online && !this.deps.restore.busy(b.id));
  }

  /** A flash starts on a session's board (here or on its host, for a mirror): it moves to `flashing`. */
  flashStarted(id: string): void {
    this.flashing.add(id);
    this.emit('update', id, {}, 'flashing');
  }

  /** The flash is over: back to active or idle by its clients now (the idle window starts afresh). */
  flashEnded(id: string): void {
    if (!this.flashing.delete(id)) return;
    this.emit('update', id, {}, this.deps.ports.clientsOf(id) > 0 ? 'active' : 'idle');
  }

  /**
   * The user switched the board's power. Off: a board that leaves the bus is not lost (the grace waits). On: a board
   * still away gets its grace from now.
   */
  powerSwitched(s: BoardRecord, on: boolean): void {
    const now = this.deps.now();
    this.emit('update', s.id, on ? { power_off_at: null, ...(s.board_lost_at != null ? { board_lost_at: now } : {}) } : { power_off_at: now });
  }

  override candidates(s: BoardRecord): readonly string[] {
    return this.fitting(s.wants_board_id, s.board_type);
  }

  noResource(s: BoardRecord): ApiError {
    const wanted = s.wants_board_id ?? s.board_type;
    const matching = this.deps.registry.list().filter((b) => (s.wants_board_id ? b.id === s.wants_board_id : b.type === s.board_type));
    const offline = matching.filter((b) => !b.online).length;
    const busy = matching.length - offline;
    let message: string;
    if (matching.length === 0) message = `No ${wanted} board is connected to this host.`;
    else if (s.wants_board_id && offline) message = `Board ${wanted} is offline (unplugged, or held by another program).`;
    else message = `All ${matching.length} ${wanted} board${matching.length > 1 ? 's are' : ' is'} busy (${busy} reserved${offline ? `, ${offline} offline` : ''}).`;
    return new ApiError('no_board_available', `${message} Wait for one with \`--wait 5m\`.`, { busy });
  }

  async start(s: BoardRecord): Promise<Partial<BoardRecord>> {
    const boardId = this.names.local(s.resource!);
    // Boards of one type may differ in rate (config entries): the meter uses the board actually given.
    const board = this.deps.registry.get(boardId);
    const patch: Partial<BoardRecord> = { board_id: boardId, rate_credits_per_min: board?.rate_credits_per_min ?? s.rate_credits_per_min, wait_until: null, ...(board?.host ? { board_host: board.host } : {}) };
    Object.assign(s, patch);
    try {
      await this.deps.ports.openBoard(s.id, boardId);
    } catch (err) {
      const message = (err as Error).message;
      const what = message.includes(boardId) ? message : `Could not open board ${boardId}: ${message}.`;
      throw new StartFailure('allocation_failed', what, new ApiError('no_board_available', `${what.replace(/\.?$/, '.')} Session ${s.id} ended (allocation_failed).`, { session_id: s.id }));
    }
    this.deps.restore.used(boardId);
    if (this.stopped.delete(s.id)) this.closeAndRestore(s.id, boardId);
    return patch;
  }

  /** The board is restored (on_end) once its port is closed, before anyone else gets it. */
  private closeAndRestore(id: string, boardId: string | null): void {
    const done = this.deps.ports.close(id).then(() => (boardId ? this.deps.restore.run(boardId) : undefined));
    this.afterEnd.add(done);
    void done.finally(() => this.afterEnd.delete(done));
  }

  /** Resolves once every ended session's port is closed and its board restored: then the boards may lose power. */
  async settled(): Promise<void> {
    await Promise.all([...this.afterEnd]);
  }

  async stop(s: BoardRecord): Promise<Partial<BoardRecord>> {
    this.flashing.delete(s.id);
    if (this.deps.ports.has(s.id)) this.closeAndRestore(s.id, s.resource);
    else if (s.state !== 'pending') this.stopped.add(s.id);
    return {};
  }

  /** Its host took it to another coordinator: the line closes here, the board is not restored (it is not ended). */
  override handOff(s: BoardRecord): void {
    this.flashing.delete(s.id);
    this.stopped.delete(s.id);
    this.deps.hosts?.letGo(s.id);
    if (this.deps.ports.has(s.id)) void this.deps.ports.close(s.id, 1012, `the session is run by coordinator ${s.coordinator} now; connect again`);
    this.deps.log(`session ${s.id}: coordinator ${s.coordinator} runs it now (its host went there); its line here is closed`);
  }

  /** After a restart: a started session reopens its board; one that does not open gets the grace a vanished board gets. */
  override resume(s: BoardRecord): void {
    if (!s.resource) return;
    const boardId = this.names.local(s.resource);
    this.deps.restore.used(boardId);
    this.deps.ports.openBoard(s.id, boardId).then(
      () => {
        if (s.ended_at !== null) this.deps.ports.close(s.id);
        else if (s.board_lost_at != null) this.emit('update', s.id, { board_lost_at: null });
      },
      (err: Error) => {
        this.deps.log(`session ${s.id}: board ${boardId} did not reopen after the restart: ${err.message}`);
        if (s.board_lost_at == null) this.emit('update', s.id, { board_lost_at: this.deps.now() });
      },
    );
  }
}
