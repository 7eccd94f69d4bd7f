// One flash job as the API shows it, kept up to date as it runs: progress, log lines, and how it ended.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { FlashEvent } from '../../transport/protocol/events.js';
import type { FlashFailure, FlashJob, FlashJobImage } from '../../transport/protocol/flash-api.js';
import { FlashError } from './flash-errors.js';
import type { FlashProgress } from './flash-progress.js';

/** Log lines a job keeps for GET …/flash; every line is also sent as it comes. */
const LOG_LINES = 50;
const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newJobId(): string {
  return `fl_${[...randomBytes(24)].map((b) => ALPHANUM[b % ALPHANUM.length]).join('')}`;
}

/** A failure a job reports: its kind for scripts and a sentence for people. */
export class JobFailure extends Error {
  constructor(
    readonly failure: FlashFailure,
    message: string,
    readonly details: { offset?: number; bootOutput?: string } = {},
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

export interface JobSetup {
  sessionId: string;
  method: FlashJob['method'];
  images: FlashJobImage[];
  forced: string[];
  verify: boolean;
  eraseAll: boolean;
  clock: Clock;
  publish(e: FlashEvent): void;
}

export class FlashJobRun {
  readonly view: FlashJob;
  readonly #started: number;

  constructor(private readonly setup: JobSetup) {
    this.#started = setup.clock.now();
    this.view = {
      id: newJobId(),
      session_id: setup.sessionId,
      state: 'running',
      method: setup.method,
      phase: 'connecting',
      written: 0,
      total: setup.images.reduce((n, i) => n + i.size, 0),
      kbit_s: 0,
      images: setup.images,
      forced: setup.forced,
      verify: setup.verify,
      erase_all: setup.eraseAll,
      started_at: new Date(this.#started).toISOString(),
      ended_at: null,
      seconds: null,
      resumed: 0,
      error: null,
      failure: null,
      offset: null,
      boot_output: null,
      log: [],
      log_count: 0,
      boot_offset: null,
    };
  }

  get running(): boolean {
    return this.view.state === 'running';
  }

  progress(p: Partial<FlashProgress>): void {
    Object.assign(this.view, p);
    this.#publish();
  }

  line(line: string): void {
    this.view.log.push(line);
    this.view.log_count++;
    if (this.view.log.length > LOG_LINES) this.view.log.shift();
    this.#publish({ line });
  }

  succeeded(fields: Partial<FlashJob>): void {
    Object.assign(this.view, fields, { state: 'succeeded', written: this.view.total });
    this.#end();
  }

  failed(err: unknown): void {
    const f = asFailure(err);
    Object.assign(this.view, { state: 'failed', error: f.message, failure: f.failure, offset: f.details.offset ?? null, boot_output: f.details.bootOutput ?? null });
    this.#end();
  }

  #end(): void {
    const now = this.setup.clock.now();
    this.view.ended_at = new Date(now).toISOString();
    this.view.seconds ??= Math.round((now - this.#started) / 100) / 10;
    this.#publish(this.view.error ? { error: this.view.error, failure: this.view.failure! } : {});
  }

  #publish(extra: Partial<FlashEvent> = {}): void {
    const v = this.view;
    this.setup.publish({ type: 'flash', session_id: v.session_id, job_id: v.id, state: v.state, phase: v.phase, written: v.written, total: v.total, kbit_s: v.kbit_s, ...extra });
  }
}

/** What a job reports for whatever stopped it: the flasher's own failures keep their kind. */
export function asFailure(err: unknown): JobFailure {
  if (err instanceof JobFailure) return err;
  if (err instanceof FlashError) {
    const details = { ...(err.details.offset === undefined ? {} : { offset: err.details.offset }), ...(err.details.bootOutput === undefined ? {} : { bootOutput: err.details.bootOutput }) };
    return new JobFailure(err.kind, err.message, details);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new JobFailure('protocol', /[.!?]$/.test(message) ? message : `${message}.`);
}
