// Flashing a session mirrored from another host: the upload goes on to the host, which runs the job next to the
// board; this daemon follows it there by reading it (through network cuts: the host finishes it regardless).
import type { Clock } from '../../shared/clock.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';
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
}

export class MirrorFlash {
  constructor(private readonly deps: MirrorFlashDeps) {}

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
    while (followed.known(id)?.id === first.id && followed.running(id) && this.deps.isLive(id)) {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, FOLLOW_MS));
      let now: FlashJob;
      try {
        now = (await client.json<FlashJob>('GET', API.flash(id), { timeoutMs: 3000 })).body;
      } catch {
        continue; // a cut: the host carries on, and the job is read again once it answers
      }
      if (now.id !== first.id) break;
      followed.update(id, now);
    }
    // The mirror ended first (its line to the host was lost), or the host has another job: how this one ended is not known here.
    if (followed.known(id)?.id === first.id) followed.lost(id, 'The session ended here before its host said how the flash ended; the board may not boot until it is flashed again.');
  }
}
