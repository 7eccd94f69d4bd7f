// `fbay flash`: reads the files, uploads them to the daemon next to the board (the local one passes them on to a
// remote host), then follows the job on the event stream until it ends, with a poll as the fallback.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { systemClock } from '../../shared/clock.js';
import { UserError } from '../../shared/user-error.js';
import { EXIT, type ExitCode } from '../../transport/protocol/errors.js';
import type { FlashEvent } from '../../transport/protocol/events.js';
import type { FlashFailure, FlashJob } from '../../transport/protocol/flash-api.js';
import { HEADERS } from '../../transport/protocol/headers.js';
import { API } from '../../transport/protocol/paths.js';
import type { DaemonClient } from '../client/daemon-client.js';
import { subscribeEvents, type EventStream } from '../client/events.js';

export interface ImageArg {
  offset: number | null;
  path: string;
}

export interface FlashOptions {
  verify: boolean;
  eraseAll: boolean;
  force: boolean;
  baud?: number;
  signal?: AbortSignal;
  clock?: Clock;
  /** Each progress report, log line and the end of the job, as the daemon sent it. */
  onEvent?(e: FlashEvent): void;
}

/** A job read again this often while it runs: a stream that missed events (a remote host's cut) still ends. */
export const POLL_MS = 2000;
const OFFSET = /^(0x[0-9a-fA-F]+|\d+)$/;
const usage = (message: string, next: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', next });

/** `[ID] [OFFSET] FILE [OFFSET FILE]...` → the session id (when given) and the images in order. */
export function parseFlashArgs(args: readonly string[]): { id: string | undefined; images: ImageArg[] } {
  const rest = [...args];
  const id = rest[0]?.startsWith('ses_') ? rest.shift() : undefined;
  const images: ImageArg[] = [];
  while (rest.length > 0) {
    const word = rest.shift()!;
    if (!OFFSET.test(word)) {
      images.push({ offset: null, path: word });
      continue;
    }
    const path = rest.shift();
    if (path === undefined) throw usage(`The offset ${word} has no file after it.`, `Give the file to write there: fbay flash ${word} build/app.bin`);
    images.push({ offset: Number(word), path });
  }
  if (images.length === 0) throw usage('Give a file to flash.', 'fbay flash build/app.bin   or   fbay flash 0x0 bootloader.bin 0x8000 partition-table.bin 0x10000 app.bin');
  return { id, images };
}

/** The exit code for how a job failed (README: Flashing → exit codes). */
export function exitForFailure(failure: FlashFailure | null): ExitCode {
  return failure === 'no_sync' ? EXIT.timeout : EXIT.error;
}

async function readImages(images: readonly ImageArg[]): Promise<Array<ImageArg & { name: string; data: Buffer }>> {
  return Promise.all(
    images.map(async (i) => {
      const info = await stat(i.path).catch((err: NodeJS.ErrnoException) => {
        throw new UserError(`Cannot read '${i.path}': ${err.code === 'ENOENT' ? 'no such file' : err.message}.`, { exit: EXIT.usage, code: 'usage', next: 'Check the path; `idf.py build` writes build/<project>.bin.' });
      });
      if (!info.isFile()) throw usage(`'${i.path}' is not a file.`, 'Give the .bin file to flash.');
      return { ...i, name: basename(i.path), data: await readFile(i.path) };
    }),
  );
}

/** Uploads and follows the job to its end; resolves with the ended job, rejects with a UserError when it failed. */
export async function flashSession(client: DaemonClient, id: string, args: readonly ImageArg[], options: FlashOptions): Promise<FlashJob> {
  const files = await readImages(args);
  const header = JSON.stringify(files.map((f) => ({ name: f.name, size: f.data.length, offset: f.offset })));
  const query = new URLSearchParams({ verify: options.verify ? '1' : '0', erase_all: options.eraseAll ? '1' : '0', force: options.force ? '1' : '0', ...(options.baud ? { baud: String(options.baud) } : {}) });
  // Subscribed first: no progress between the answer and the subscription is missed.
  const events = await subscribeEvents(client, id).catch(() => null);
  try {
    const { body: started } = await client.upload<FlashJob>(`${API.flash(id)}?${query}`, Buffer.concat(files.map((f) => f.data)), { 'content-type': 'application/octet-stream', [HEADERS.flashImages]: header });
    const job = await follow(client, id, started, events, options);
    if (job.state === 'failed') throw failed(job);
    return job;
  } finally {
    events?.close();
  }
}

export function failed(job: FlashJob): UserError {
  const log = `the job's log is in \`fbay --json flash --status ${job.session_id}\``;
  const next =
    job.failure === 'no_sync'
      ? 'Check that the board is an ESP32-S3 and is not held in reset; `fbay reset --bootloader` shows what it prints.'
      : job.failure === 'session_ended'
        ? `The session is over: reserve the board again (\`fbay session create\`) and flash it there; ${log}.`
        : `Flash it again: ${log}.`;
  return new UserError(job.error ?? 'The flash failed.', { exit: exitForFailure(job.failure), code: job.failure ?? 'flash_failed', next });
}

function follow(client: DaemonClient, id: string, started: FlashJob, events: EventStream | null, options: FlashOptions): Promise<FlashJob> {
  const clock = options.clock ?? systemClock;
  return new Promise((resolve, reject) => {
    let done = false;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      finish(() => reject(new UserError('interrupted: the flash carries on on the host.', { exit: EXIT.interrupted, code: 'interrupted', next: `See how it ends with \`fbay flash --status ${id}\`.` })));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const poll = async () => {
      try {
        const job = await client.get<FlashJob>(API.flash(id));
        if (job.id === started.id && job.state !== 'running') return finish(() => resolve(job));
      } catch (err) {
        if (err instanceof UserError && err.exit === EXIT.daemon_unavailable && err.code !== 'upstream_unavailable') return finish(() => reject(err));
        // The host is out of reach for now (a cut): it finishes the job regardless; ask again.
      }
      if (!done) timer = clock.setTimeout(() => void poll(), POLL_MS);
    };
    events?.onEvent((e) => {
      if (e.type !== 'flash' || e.job_id !== started.id || done) return;
      options.onEvent?.(e);
      if (e.state !== 'running') void client.get<FlashJob>(API.flash(id)).then((job) => finish(() => resolve(job)), () => void poll());
    });
    if (started.state !== 'running') return finish(() => resolve(started));
    timer = clock.setTimeout(() => void poll(), POLL_MS);
  });
}

/** `fbay flash --status`: the session's latest job. */
export function flashStatus(client: DaemonClient, id: string): Promise<FlashJob> {
  return client.get<FlashJob>(API.flash(id));
}
