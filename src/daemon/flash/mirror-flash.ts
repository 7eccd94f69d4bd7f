// Flashing a session mirrored from another host: the upload goes on to the host, which runs the job next to the
// board; this daemon follows it there by reading it (through network cuts: the host finishes it regardless).
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { API } from '../../transport/protocol/paths.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import type { RemoteClient } from '../remote/remote-client.js';
import type { RemoteHosts } from '../remote/remote-hosts.js';
import type { FollowedFlash } from './followed-flash.js';

/** How often the host's job is read while it runs. */
export const FOLLOW_MS = 500;

export interface MirrorFlashDeps {
  hosts: RemoteHosts;
  followed: FollowedFlash;
  isLive(sessionId: string): boolean;
  clock: Clock;
  log(message: string): void;
}

export class MirrorFlash {
  #closed = false;
  /** The waits between two reads of the jobs followed now: a stopping daemon ends them. */
  readonly #waits = new Map<TimerHandle, () => void>();

  constructor(private readonly deps: MirrorFlashDeps) {}

  /** The daemon stops: following ends (the host carries on; the next start follows its jobs again). */
  close(): void {
    this.#closed = true;
    for (const [timer, wake] of this.#waits) {
      this.deps.clock.clearTimeout(timer);
      wake();
    }
    this.#waits.clear();
  }

  running(sessionId: string): boolean {
    return this.deps.followed.running(sessionId);
  }

  /** Sends the upload on to the host as it came; the host's answer (its job, or its refusal) is the answer. */
  async start(s: BoardRecord, body: Buffer, headers: Record<string, string>, query: string): Promise<FlashJob> {
    const client = this.deps.hosts.client(s.host!);
    const { body: job } = await client.json<FlashJob>('POST', `${API.flash(s.id)}${query}`, { raw: body, headers, timeoutMs: 120_000 });
    this.deps.followed.begin(s.id, job);
    void this.#follow(client, s.id, job);
    return job;
  }

  /**
   * After a restart: the host may still be running a job this daemon was following. Each live mirrored session's job
   * is read once; a running one is followed again (the session back in `flashing`), one that ended meanwhile is kept
   * for GET …/flash.
   */
  resume(sessions: readonly BoardRecord[]): void {
    if (this.#closed) return;
    for (const s of sessions) {
      if (!s.host || s.ended_at !== null) continue;
      void this.#resumeOne(s).catch((err: Error) => this.deps.log(`session ${s.id}: could not read its host's flash job after the restart: ${err.message}`));
    }
  }

  async #resumeOne(s: BoardRecord): Promise<void> {
    const client = this.deps.hosts.client(s.host!);
    const job = await client
      .json<FlashJob>('GET', API.flash(s.id), { retry: true, timeoutMs: 10_000 })
      .then((r) => r.body, (err: unknown) => (err instanceof ApiError && err.code === 'not_found' ? null : Promise.reject(err))); // never flashed
    if (!job || this.#closed || !this.deps.isLive(s.id) || this.deps.followed.known(s.id)) return;
    if (job.state !== 'running') return this.deps.followed.remember(s.id, job);
    this.deps.followed.begin(s.id, job);
    this.deps.log(`session ${s.id}: following its host's flash ${job.id} again after the restart`);
    await this.#follow(client, s.id, job);
  }

  /** The job as the host has it now; what was last heard when the host cannot be reached. */
  async latest(s: BoardRecord): Promise<FlashJob | undefined> {
    try {
      const { body } = await this.deps.hosts.client(s.host!).json<FlashJob>('GET', API.flash(s.id), { retry: true, timeoutMs: 5000 });
      return body;
    } catch (err) {
      const known = this.deps.followed.known(s.id);
      if (known) return known;
      throw err;
    }
  }

  async #follow(client: RemoteClient, id: string, first: FlashJob): Promise<void> {
    const { followed, clock } = this.deps;
    while (!this.#closed && followed.known(id)?.id === first.id && followed.running(id) && this.deps.isLive(id)) {
      await new Promise<void>((resolve) => {
        const timer = clock.setTimeout(() => (this.#waits.delete(timer), resolve()), FOLLOW_MS);
        this.#waits.set(timer, resolve);
      });
      if (this.#closed) return;
      let now: FlashJob;
      try {
        now = (await client.json<FlashJob>('GET', API.flash(id), { timeoutMs: 3000 })).body;
      } catch {
        continue; // a cut: the host carries on, and the job is read again once it answers
      }
      if (now.id !== first.id) break;
      followed.update(id, now);
    }
    if (this.#closed) return;
    // The mirror ended first (its line to the host was lost), or the host has another job: how this one ended is not known here.
    if (followed.known(id)?.id === first.id) followed.lost(id, 'The session ended here before its host said how the flash ended; the board may not boot until it is flashed again.');
  }
}
