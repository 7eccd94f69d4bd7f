// Flash jobs that run on another daemon — the host of a mirrored session, or a board host joined to this coordinator
// — as this daemon follows them: the session held in `flashing`, each new state of the job told to this daemon's
// consoles and event streams as progress and new log lines, and how it ended kept for GET …/flash.
import type { Clock } from '../../shared/clock.js';
import type { FlashEvent } from '../../transport/protocol/events.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';
import type { BoardProvider } from '../providers/board/board-provider.js';

export interface FollowedFlashDeps {
  boards: Pick<BoardProvider, 'flashStarted' | 'flashEnded'>;
  publish(e: FlashEvent): void;
  clock: Clock;
  log(message: string): void;
}

/** Jobs remembered for GET …/flash, the latest per session. */
const KEEP_JOBS = 1000;

export class FollowedFlash {
  readonly #jobs = new Map<string, FlashJob>();

  constructor(private readonly deps: FollowedFlashDeps) {}

  running(sessionId: string): boolean {
    return this.#jobs.get(sessionId)?.state === 'running';
  }

  /** The job as last heard. */
  known(sessionId: string): FlashJob | undefined {
    return this.#jobs.get(sessionId);
  }

  /** A job started elsewhere for this session: the session is `flashing` until it is heard to end. */
  begin(sessionId: string, job: FlashJob): void {
    this.#keep(sessionId, job);
    this.deps.boards.flashStarted(sessionId);
    this.#publish(job, job.log);
    if (job.state !== 'running') this.#ended(sessionId, job);
  }

  /** A job that was over before it was heard of: kept for GET …/flash, nothing told, the session left as it is. */
  remember(sessionId: string, job: FlashJob): void {
    if (job.state !== 'running') this.#keep(sessionId, job);
  }

  #keep(sessionId: string, job: FlashJob): void {
    this.#jobs.delete(sessionId);
    this.#jobs.set(sessionId, job);
    for (const old of this.#jobs.keys()) {
      if (this.#jobs.size <= KEEP_JOBS) break;
      if (this.#jobs.get(old)!.state !== 'running') this.#jobs.delete(old);
    }
  }

  /** The job as it is now: what changed is told; an update of another job or of one already over is ignored. */
  update(sessionId: string, now: FlashJob): void {
    const last = this.#jobs.get(sessionId);
    if (!last || last.id !== now.id || last.state !== 'running') return;
    const fresh = now.log.slice(Math.max(0, now.log.length - (now.log_count - last.log_count)));
    if (fresh.length > 0 || now.written !== last.written || now.phase !== last.phase || now.state !== last.state) this.#publish(now, fresh);
    this.#jobs.set(sessionId, now);
    if (now.state !== 'running') this.#ended(sessionId, now);
  }

  /** The job will not be heard of again (the session ended first): it fails here with `why`, its outcome unknown. */
  lost(sessionId: string, why: string): void {
    const last = this.#jobs.get(sessionId);
    if (!last || last.state !== 'running') return;
    const failed: FlashJob = { ...last, state: 'failed', failure: 'session_ended', error: why, ended_at: new Date(this.deps.clock.now()).toISOString() };
    this.#jobs.set(sessionId, failed);
    this.#publish(failed, []);
    this.#ended(sessionId, failed);
  }

  #ended(sessionId: string, job: FlashJob): void {
    this.deps.boards.flashEnded(sessionId);
    this.deps.log(`session ${sessionId}: the host's flash ${job.state}${job.error ? `: ${job.error}` : ''}`);
  }

  /** Progress (and each new log line) as the host's own consoles saw it. */
  #publish(job: FlashJob, lines: readonly string[]): void {
    const base: FlashEvent = { type: 'flash', session_id: job.session_id, job_id: job.id, state: 'running', phase: job.phase, written: job.written, total: job.total, kbit_s: job.kbit_s };
    for (const line of lines) this.deps.publish({ ...base, line });
    this.deps.publish({ ...base, state: job.state, ...(job.error ? { error: job.error, failure: job.failure ?? 'protocol' } : {}) });
  }
}
