// A board host's side of flashing and powering its coordinator's sessions: uploads put back together from their
// channel, the job run by this host's own FlashJobs (ROM or flash_command, as for its local sessions), its power by
// its own SessionPower, and each job's progress sent back as it runs — at once when its phase changes or it ends,
// else at most once a progress interval. A job runs to its end whatever becomes of the tunnel; the coordinator reads it again once back.
import type { Clock, TimerHandle } from '../../shared/clock.js';
import type { FlashEvent } from '../../transport/protocol/events.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { controlFrame } from '../../transport/tunnel/frames.js';
import { fitJob, fitPower } from '../../transport/tunnel/flash-messages.js';
import type { CoordinatorRequest } from '../../transport/tunnel/messages.js';
import { UploadAssembly } from '../../transport/tunnel/upload.js';
import type { FlashJobs } from '../flash/flash-jobs.js';
import { formatBytes } from '../flash/flash-plan.js';
import { PROGRESS_INTERVAL_MS } from '../flash/flash-progress.js';
import type { SessionPower } from '../power/session-power.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import type { TunnelSender } from './channel-socket.js';
import type { JoinSessions, ReplyBody } from './join-sessions.js';

type Op<K extends CoordinatorRequest['op']> = Extract<CoordinatorRequest, { op: K }>;

export interface JoinFlashDeps {
  sessions: JoinSessions;
  flashes: Pick<FlashJobs, 'prepare' | 'start' | 'latest'>;
  power: Pick<SessionPower, 'run'>;
  tunnel: TunnelSender;
  clock: Clock;
  log(message: string): void;
}

interface Upload {
  /** This host's session it is for. */
  session: string;
  assembly: UploadAssembly | null;
  /** Why the bytes cannot be used (they came out of order, or too many). */
  spoilt: string | null;
}

const failed = (err: unknown): ReplyBody => ({
  ok: false,
  code: err instanceof ApiError ? err.code : 'internal_error',
  error: (err as Error).message,
  ...(err instanceof ApiError && Array.isArray(err.extra.output) ? { output: err.extra.output as string[] } : {}),
});

export class JoinFlash {
  /** Uploads under way, by channel: on this connection only (a drop loses them; the coordinator says so). */
  private readonly uploads = new Map<number, Upload>();
  /** Progress waiting to be sent, by this host's session. */
  private readonly pushes = new Map<string, TimerHandle>();
  /** The phase each job was in when last sent: a new phase goes at once, so the coordinator sees every one. */
  private readonly phases = new Map<string, string>();

  constructor(private readonly o: JoinFlashDeps) {}

  /** Makes room for an upload, after the checks a flash of this session would fail now (nothing is sent for nothing). */
  begin(op: Op<'upload'>): ReplyBody {
    try {
      const s = this.session(op.session);
      const { limit } = this.o.flashes.prepare(s);
      if (op.size > limit) throw new ApiError('payload_too_large', `That upload is ${formatBytes(op.size)}, larger than the board's ${formatBytes(limit)} flash.`, { flash_size: limit });
      for (const [channel, u] of this.uploads) if (u.session === s.id) this.uploads.delete(channel);
      this.uploads.set(op.channel, { session: s.id, assembly: new UploadAssembly(op.size), spoilt: null });
      this.o.log(`session ${s.id} (coordinator's ${op.session}): receiving ${formatBytes(op.size)} to flash`);
      return { ok: true };
    } catch (err) {
      return failed(err);
    }
  }

  /** Bytes of an upload; those of a channel with no upload begun are dropped. */
  data(channel: number, offset: number, bytes: Buffer): void {
    const u = this.uploads.get(channel);
    if (!u?.assembly) return;
    const problem = u.assembly.take(offset, bytes);
    if (problem) Object.assign(u, { assembly: null, spoilt: problem });
  }

  /** Starts the job on what the upload brought; synchronous, so its reply goes out before any of its progress. */
  flash(op: Op<'flash'>): ReplyBody {
    const u = this.uploads.get(op.channel);
    this.uploads.delete(op.channel);
    try {
      const s = this.session(op.session);
      const total = op.images.reduce((n, i) => n + i.size, 0);
      if (!u || u.session !== s.id) throw new ApiError('upstream_unavailable', `No upload came for this flash on channel ${op.channel}; nothing was flashed. Send it again.`);
      if (!u.assembly) throw new ApiError('upstream_unavailable', `The upload was spoilt on the way (${u.spoilt}); nothing was flashed. Send it again.`);
      if (!u.assembly.complete || u.assembly.size !== total) {
        throw new ApiError('upstream_unavailable', `The upload reached this host with ${u.assembly.received} of ${total} bytes; nothing was flashed. Send it again.`);
      }
      let at = 0;
      const inputs = op.images.map((i) => ({ name: i.name, offset: i.offset, data: u.assembly!.bytes.subarray(at, (at += i.size)) }));
      const job = this.o.flashes.start(s, inputs, { verify: op.verify, eraseAll: op.erase_all, force: op.force, ...(op.baud ? { baud: op.baud } : {}) });
      return { ok: true, job: fitJob(job) };
    } catch (err) {
      return failed(err);
    }
  }

  /** The session's latest job (a session that ended here still has it). */
  job(op: Op<'flash_job'>): ReplyBody {
    const s = this.o.sessions.find(op.session, true);
    const job = s && this.o.flashes.latest(s.id);
    return job ? { ok: true, job: fitJob(job) } : { ok: false, code: 'not_found', error: `Session ${op.session} has not been flashed on this host.` };
  }

  async power(op: Op<'power'>): Promise<ReplyBody> {
    try {
      return { ok: true, power: fitPower(await this.o.power.run(this.session(op.session), op.action)) };
    } catch (err) {
      return failed(err);
    }
  }

  /** A job's progress on this host: sent on to the coordinator if the session is one of its. */
  progress(e: FlashEvent): void {
    const coordinator = this.o.sessions.coordinatorId(e.session_id);
    if (coordinator === null) return;
    if (e.state !== 'running' || e.phase !== this.phases.get(e.session_id)) return this.push(e.session_id, coordinator);
    if (this.pushes.has(e.session_id)) return;
    this.pushes.set(
      e.session_id,
      this.o.clock.setTimeout(() => this.push(e.session_id, coordinator), PROGRESS_INTERVAL_MS),
    );
  }

  /** The tunnel dropped: uploads on it are void, progress waits for the coordinator to ask. */
  down(): void {
    this.uploads.clear();
    for (const timer of this.pushes.values()) this.o.clock.clearTimeout(timer);
    this.pushes.clear();
    this.phases.clear();
  }

  private push(hostSession: string, coordinator: string): void {
    const timer = this.pushes.get(hostSession);
    if (timer) this.o.clock.clearTimeout(timer);
    this.pushes.delete(hostSession);
    const job = this.o.flashes.latest(hostSession);
    if (!job) return;
    if (job.state === 'running') this.phases.set(hostSession, job.phase);
    else this.phases.delete(hostSession);
    this.o.tunnel.send(controlFrame({ op: 'job', session: coordinator, job: fitJob(job) }));
  }

  private session(coordinatorSession: string): BoardRecord {
    const s = this.o.sessions.find(coordinatorSession);
    if (!s) throw new ApiError('not_found', `Session ${coordinatorSession} has no board on this host.`);
    return s as BoardRecord;
  }
}
