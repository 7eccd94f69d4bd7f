// A flash job for a board without an ESP ROM: the port is released, the board entry's flash_command runs once per
// image (its output is the flash log), and the port is opened again for the session's consoles.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { Argv } from '../boards/entry-actions.js';
import type { SessionPorts } from '../serial/session-ports.js';
import { runFlashCommand } from './flash-command.js';
import { JobFailure, type FlashJobRun } from './flash-job.js';
import type { ImageInput } from './flash-plan.js';

export interface CommandJobOptions {
  sessionId: string;
  argv: Argv;
  /** The board's device path, for {port}. */
  port: string;
  images: ReadonlyArray<ImageInput & { offset: number }>;
  ports: Pick<SessionPorts, 'release' | 'reacquire' | 'on' | 'off'>;
  clock: Clock;
  /** Where the images are written for the command to read (a private temp dir is made in it). */
  tmpDir: string;
}

export async function runCommandJob(job: FlashJobRun, o: CommandJobOptions): Promise<void> {
  const dir = await mkdtemp(join(o.tmpDir, 'flash-'));
  const stop = new AbortController();
  const onClosed = (id: string) => id === o.sessionId && stop.abort();
  o.ports.on('closed', onClosed);
  await o.ports.release(o.sessionId);
  try {
    let written = 0;
    for (const [n, image] of o.images.entries()) {
      const file = join(dir, `${n}-${image.name.replace(/[^\w.-]/g, '_')}`);
      await writeFile(file, image.data, { mode: 0o600 });
      job.progress({ phase: 'writing', written });
      const r = await runFlashCommand(o.argv, { port: o.port, file, offset: image.offset }, { clock: o.clock, signal: stop.signal, onLine: (l) => job.line(l) });
      if (stop.signal.aborted) throw new JobFailure('session_ended', `The session ended while '${o.argv[0]}' was flashing '${image.name}'; it was stopped, and the board may not boot until it is flashed again.`);
      if (r.failure) throw new JobFailure('command_failed', `Flashing '${image.name}' failed: ${r.failure}`, { offset: image.offset });
      written += image.data.length;
    }
    job.progress({ phase: 'resetting', written });
  } finally {
    o.ports.off('closed', onClosed);
    await rm(dir, { recursive: true, force: true });
    if (!stop.signal.aborted) {
      await o.ports.reacquire(o.sessionId).catch((err: Error) => job.line(`The board's port did not open again (${err.message}); the session waits for it as for an unplugged board.`));
    }
  }
}
