// Flashing a session whose board is on a joined host. What can be refused is refused here first (the session, the
// plan, the size), so what the host would refuse never crosses its tunnel; then the images go over the tunnel in
// windowed chunks and the host runs the job with its own FlashJobs. The job is followed here from what the host
// reports as it runs, read again whenever the host comes back, and failed with a sentence if the session ends (its
// host gone past the grace) before the host has said how it ended. A coordinator that restarted meanwhile asks the
// host once it is back, and follows a job it finds (or records how it ended).
import { ApiError } from '../../transport/protocol/errors.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';
import type { BoardRecord as Board } from '../boards/board-record.js';
import type { FollowedFlash } from '../flash/followed-flash.js';
import type { ImageInput } from '../flash/flash-plan.js';
import { cannotFlash, checkFlashable, flashMethodOf, planJob, uploadLimit, type FlashMethod, type FlashRequest } from '../flash/job-plan.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import type { HostLink } from './host-link.js';
import { hostAway } from './joined-host.js';
import type { JoinedHosts } from './joined-hosts.js';

/** The host starts a job at once; the last of the upload may still be on its way when the request is sent. */
const FLASH_TIMEOUT_MS = 60_000;

export interface JoinedFlashDeps {
  hosts: Pick<JoinedHosts, 'linkTo' | 'get' | 'on'>;
  followed: FollowedFlash;
  log(message: string): void;
}

export class JoinedFlash {
  /** Sessions whose upload or flash request is under way. */
  readonly #starting = new Set<string>();
  /** What a host reported of a job before its reply to the flash request was taken in (both can come in one read). */
  readonly #early = new Map<string, FlashJob>();
  /** The host of each job followed, to read it again when that host is back. */
  readonly #hostOf = new Map<string, string>();
  /** Sessions whose host was asked, the first time it came back since this coordinator started, for a job. */
  readonly #asked = new Set<string>();

  constructor(private readonly deps: JoinedFlashDeps) {
    deps.hosts.on('job', (session, job, host) => this.#heard(session, job, host));
    deps.hosts.on('link', (session, link, host) => {
      if (link.state === 'open') void this.#refresh(session, host);
    });
  }

  /** How the session's board is flashed and the most one upload may carry, or why it cannot be flashed now. */
  prepare(s: BoardRecord): { method: FlashMethod; limit: number; board: Board } {
    checkFlashable(s, this.deps.followed.running(s.id) || this.#starting.has(s.id));
    const board = this.deps.hosts.get(s.board_id ?? '');
    if (!board) throw new ApiError('session_conflict', `Session ${s.id}'s board ${s.board_id} is not on any joined host any more.`);
    // An older host does not say how it flashes a board: its type tells what it would do without a flash_command.
    const method = board.flash === undefined ? flashMethodOf(board.type, null) : board.flash;
    if (method === null) throw cannotFlash(board);
    this.#link(s);
    return { method, limit: uploadLimit(method), board };
  }

  /** Checks the images as the host would, sends them, and starts the job there; its view is the answer. */
  async start(s: BoardRecord, inputs: ImageInput[], req: FlashRequest): Promise<FlashJob> {
    const { method, board } = this.prepare(s);
    planJob(method, board, inputs, req);
    this.#starting.add(s.id);
    try {
      const link = this.#link(s);
      const bytes = Buffer.concat(inputs.map((i) => i.data));
      const channel = link.uploadChannel();
      await link.call({ op: 'upload', session: s.id, channel, size: bytes.length });
      await link.sendUpload(channel, bytes).catch((err: Error) => {
        throw new ApiError('upstream_unavailable', `Host '${link.host}' went away during the upload (${err.message}); nothing was flashed. Flash again once it is back.`);
      });
      const images = inputs.map((i) => ({ name: i.name, size: i.data.length, offset: i.offset }));
      const reply = await link.call({ op: 'flash', session: s.id, channel, images, verify: req.verify, erase_all: req.eraseAll, force: req.force, ...(req.baud ? { baud: req.baud } : {}) }, FLASH_TIMEOUT_MS);
      if (!reply.job) throw new ApiError('upstream_unavailable', `Host '${link.host}' said it started the flash but sent no job; flash again.`);
      const job = { ...reply.job, session_id: s.id };
      this.#hostOf.set(s.id, link.host);
      this.deps.followed.begin(s.id, job);
      const early = this.#early.get(s.id);
      if (early) this.deps.followed.update(s.id, early);
      return this.deps.followed.known(s.id) ?? job;
    } finally {
      this.#starting.delete(s.id);
      this.#early.delete(s.id);
    }
  }

  /** The job as the host has it now; what was last heard while the host is away. */
  async latest(s: BoardRecord): Promise<FlashJob | undefined> {
    const link = this.deps.hosts.linkTo(s.board_host ?? '');
    const now = link ? await this.#read(link, s.id).catch(() => null) : null;
    if (now) this.deps.followed.update(s.id, now);
    return now ?? this.deps.followed.known(s.id);
  }

  /** The session ended: a job still running as far as this coordinator knows will never be heard of again. */
  ended(sessionId: string, reason: string): void {
    const host = this.#hostOf.get(sessionId);
    this.#hostOf.delete(sessionId);
    this.#asked.delete(sessionId);
    if (host === undefined || !this.deps.followed.running(sessionId)) return;
    this.deps.followed.lost(sessionId, `The session ended (${reason}) before host '${host}' said how the flash ended; the board may not boot until it is flashed again.`);
  }

  #link(s: BoardRecord): HostLink {
    const link = this.deps.hosts.linkTo(s.board_host ?? '');
    if (!link) throw hostAway(s.board_host ?? 'unknown');
    return link;
  }

  async #read(link: HostLink, sessionId: string): Promise<FlashJob | null> {
    const reply = await link.call({ op: 'flash_job', session: sessionId });
    return reply.job ? { ...reply.job, session_id: sessionId } : null;
  }

  #heard(sessionId: string, job: FlashJob, host: string): void {
    const own = { ...job, session_id: sessionId };
    if (this.#starting.has(sessionId)) this.#early.set(sessionId, own);
    else this.#take(sessionId, own, host);
  }

  /** The job as the host has it: followed on if it is the one followed, else taken up (started before a restart). */
  #take(sessionId: string, job: FlashJob, host: string): void {
    if (this.deps.followed.known(sessionId)?.id === job.id) return this.deps.followed.update(sessionId, job);
    if (job.state !== 'running') {
      // Over before this coordinator heard of it: kept for GET …/flash, the session left as it is.
      if (!this.#hostOf.has(sessionId)) this.deps.followed.remember(sessionId, job);
      return;
    }
    this.deps.log(`session ${sessionId}: host '${host}' is running flash ${job.id}, started before this coordinator did; following it`);
    this.#hostOf.set(sessionId, host);
    this.deps.followed.begin(sessionId, job);
  }

  /**
   * The host is back: a job it ran meanwhile is read, and how it ended is told. The first time since this
   * coordinator started, it is asked even with no job followed: it may run one started before a restart.
   */
  async #refresh(sessionId: string, host: string): Promise<void> {
    const followed = this.#hostOf.has(sessionId);
    if (followed ? !this.deps.followed.running(sessionId) : this.#asked.has(sessionId)) return;
    this.#asked.add(sessionId);
    const link = this.deps.hosts.linkTo(host);
    if (!link) return;
    try {
      const now = await this.#read(link, sessionId);
      if (now) this.#take(sessionId, now, host);
    } catch (err) {
      this.deps.log(`session ${sessionId}: could not read its flash from host '${host}' (${(err as Error).message}); it is read again when asked`);
    }
  }
}
