// Flash jobs of this host's board sessions: what may be flashed and how, one job at a time per session, each run
// on the host whatever the uploading client does next, and its progress sent to consoles and `GET /v1/events`.
import type { Clock } from '../../shared/clock.js';
import type { FlashEvent } from '../../transport/protocol/events.js';
import { ApiError } from '../../transport/protocol/errors.js';
import type { FlashJob, FlashJobImage } from '../../transport/protocol/flash-api.js';
import type { BoardRegistry } from '../boards/board-registry.js';
import type { EntryActions } from '../boards/entry-actions.js';
import type { BoardProvider } from '../providers/board/board-provider.js';
import type { BoardRecord } from '../providers/board/board-record.js';
import type { SessionPorts } from '../serial/session-ports.js';
import { runCommandJob } from './command-job.js';
import { FlashJobRun } from './flash-job.js';
import { formatBytes, hex, type ImageInput } from './flash-plan.js';
import { cannotFlash, checkFlashable, flashMethodOf, planJob, uploadLimit, type FlashMethod, type FlashRequest } from './job-plan.js';
import { runRomJob } from './rom-job.js';

export type { FlashRequest } from './job-plan.js';
/** Jobs remembered for GET …/flash, the latest per session. */
const KEEP_JOBS = 1000;
/** A board that went away mid-flash gets its grace and this much more to be reopened. */
const REOPEN_SLACK_MS = 2000;

export interface FlashJobsDeps {
  ports: SessionPorts;
  boards: Pick<BoardProvider, 'flashStarted' | 'flashEnded'>;
  registry: Pick<BoardRegistry, 'get'>;
  actions(boardId: string): EntryActions;
  clock: Clock;
  log(message: string): void;
  publish(e: FlashEvent): void;
  graceS(): number;
  /** For a flash_command's image files. */
  tmpDir: string;
}

type Method = { method: 'rom'; limit: number } | { method: 'command'; limit: number; argv: readonly string[] };

const list = (images: ReadonlyArray<{ name: string; offset: number }>) => images.map((i) => `${i.name} at ${hex(i.offset)}`).join(', ');

export class FlashJobs {
  readonly #latest = new Map<string, FlashJobRun>();

  constructor(private readonly deps: FlashJobsDeps) {}

  /** How this session's board is flashed, and the most an upload may carry; refuses a session that cannot flash now. */
  prepare(s: BoardRecord): Method {
    checkFlashable(s, this.#latest.get(s.id)?.running ?? false);
    if (this.deps.ports.isLost(s.id)) throw new ApiError('session_conflict', `Session ${s.id}'s board is away (unplugged or re-enumerating); flash it once it is back.`);
    const board = this.deps.registry.get(s.board_id ?? '');
    if (!board) throw new ApiError('session_conflict', `Session ${s.id}'s board ${s.board_id} is not on this host any more.`);
    const argv = this.deps.actions(board.id).flash_command;
    const method = this.methodOf(board);
    if (method === 'command') return { method, limit: uploadLimit(method), argv: argv! };
    if (method === 'rom') return { method, limit: uploadLimit(method) };
    throw cannotFlash(board);
  }

  /** How fbay flashes a board of this host; null: it cannot. */
  methodOf(board: { id: string; type: string }): FlashMethod | null {
    return flashMethodOf(board.type, this.deps.actions(board.id).flash_command);
  }

  /** Checks the images (400 with the sentence, before the board is touched) and starts the job on the host. */
  start(s: BoardRecord, inputs: ImageInput[], req: FlashRequest): FlashJob {
    const how = this.prepare(s);
    const board = this.deps.registry.get(s.board_id!)!;
    const { images, forced } = planJob(how.method, board, inputs, req);
    const view: FlashJobImage[] = images.map((i) => ({ name: i.name, offset: i.offset, size: i.data.length, description: i.description, md5: null }));
    const job = new FlashJobRun({ sessionId: s.id, method: how.method, images: view, forced, verify: req.verify, eraseAll: req.eraseAll, clock: this.deps.clock, publish: this.deps.publish });
    this.#remember(s.id, job);
    void this.#run(job, s, images, req, how, board.path);
    return job.view;
  }

  /** How a board of this host is flashed and the most one upload may carry (GET /v1/boards shows it); null: it cannot be. */
  capacity(boardId: string): { method: FlashMethod; max_bytes: number } | null {
    const board = this.deps.registry.get(boardId);
    const method = board ? this.methodOf(board) : null;
    return method ? { method, max_bytes: uploadLimit(method) } : null;
  }

  latest(sessionId: string): FlashJob | undefined {
    return this.#latest.get(sessionId)?.view;
  }

  async #run(job: FlashJobRun, s: BoardRecord, images: Array<ImageInput & { offset: number }>, req: FlashRequest, how: Method, path: string): Promise<void> {
    const { ports, clock } = this.deps;
    this.deps.boards.flashStarted(s.id);
    ports.note(s.id, `\r\n--- fbay: flashing ${list(images)} (${formatBytes(images.reduce((n, i) => n + i.data.length, 0))}) ---\r\n`);
    const done = (seconds: number) => `\r\n--- fbay: flashed ${images.length} image${images.length > 1 ? 's' : ''} (${list(images)}) in ${seconds.toFixed(1)} s${req.verify && how.method === 'rom' ? ', verified' : ''}; the board was reset ---\r\n`;
    try {
      if (how.method === 'rom') {
        const result = await runRomJob(job, {
          sessionId: s.id,
          images,
          verify: req.verify,
          eraseAll: req.eraseAll,
          ...(req.baud ? { baud: req.baud } : {}),
          ports,
          clock,
          backWithinMs: () => this.deps.graceS() * 1000 + REOPEN_SLACK_MS,
          doneMarker: (r) => done(r.seconds),
        });
        result.images.forEach((r, n) => (job.view.images[n]!.md5 = r.md5));
        job.succeeded({ seconds: result.seconds, kbit_s: result.kbit_s, phase: 'resetting' });
      } else {
        await runCommandJob(job, { sessionId: s.id, argv: how.argv, port: path, images, ports, clock, tmpDir: this.deps.tmpDir });
        ports.note(s.id, done((clock.now() - Date.parse(job.view.started_at)) / 1000));
        job.view.boot_offset = ports.offsetOf(s.id) ?? null;
        job.succeeded({});
      }
      this.deps.log(`session ${s.id}: flashed ${list(images)}`);
    } catch (err) {
      job.failed(err);
      ports.note(s.id, `\r\n--- fbay: flash failed: ${job.view.error} ---\r\n`);
      this.deps.log(`session ${s.id}: flash failed (${job.view.failure}): ${job.view.error}`);
    } finally {
      this.deps.boards.flashEnded(s.id);
    }
  }

  #remember(id: string, job: FlashJobRun): void {
    this.#latest.delete(id);
    this.#latest.set(id, job);
    for (const old of this.#latest.keys()) {
      if (this.#latest.size <= KEEP_JOBS) break;
      if (!this.#latest.get(old)!.running) this.#latest.delete(old);
    }
  }
}
