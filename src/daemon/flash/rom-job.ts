// A flash job over esptool's protocol on the session's lent port; when the port drops mid-write (a native-USB
// ESP32-S3 re-enumerates), it waits for the board to come back within the grace and carries on where it stopped.
import type { Clock } from '../../shared/clock.js';
import type { SessionPorts } from '../serial/session-ports.js';
import { FlashError, type FlashResume } from './flash-errors.js';
import { flashImages, type FlashResult } from './flash-images.js';
import { JobFailure, type FlashJobRun } from './flash-job.js';
import { hex } from './flash-plan.js';
import type { RegionImage } from './write-region.js';

export type JobPorts = Pick<SessionPorts, 'lend' | 'note' | 'offsetOf' | 'has' | 'isLost' | 'on' | 'off'>;

export interface RomJobOptions {
  sessionId: string;
  images: readonly RegionImage[];
  verify: boolean;
  eraseAll: boolean;
  baud?: number;
  ports: JobPorts;
  clock: Clock;
  /** How long a board that went away may take to come back (the session's grace, plus a little). */
  backWithinMs(): number;
  /** The marker written into the session's output once the write is done, before the new firmware's boot log. */
  doneMarker(result: FlashResult): string;
}

export async function runRomJob(job: FlashJobRun, o: RomJobOptions): Promise<FlashResult> {
  let resume: FlashResume | undefined;
  for (;;) {
    const port = o.ports.lend(o.sessionId);
    try {
      const result = await flashImages(port, o.images, {
        verify: o.verify,
        eraseAll: o.eraseAll,
        ...(o.baud ? { baud: o.baud } : {}),
        clock: o.clock,
        onProgress: (p) => job.progress(p),
        onLog: (l) => job.line(l),
        ...(resume ? { resume } : {}),
      });
      // Before the port goes back: the marker comes before the boot log the new firmware is printing.
      o.ports.note(o.sessionId, o.doneMarker(result));
      job.view.boot_offset = o.ports.offsetOf(o.sessionId) ?? null;
      return result;
    } catch (err) {
      if (!(err instanceof FlashError) || err.kind !== 'port_lost' || !err.details.resume) throw err;
      resume = err.details.resume;
      const at = err.details.offset;
      job.line(`The board's port went away${at === undefined ? '' : ` at ${hex(at)}`}; waiting up to ${Math.round(o.backWithinMs() / 1000)} s for it to come back.`);
      await port.close();
      const back = await boardBack(o.ports, o.sessionId, o.backWithinMs(), o.clock);
      if (back === 'ended') throw new JobFailure('session_ended', `The session ended while its board was away during the flash${at === undefined ? '' : ` (at ${hex(at)})`}; the board may not boot until it is flashed again.`, at === undefined ? {} : { offset: at });
      if (back === 'gone') throw new JobFailure('port_lost', err.message, at === undefined ? {} : { offset: at });
      job.view.resumed++;
      job.line(`The board is back; carrying on from ${hex(o.images[resume.image]?.offset ?? 0)} + ${resume.bytes} bytes.`);
    } finally {
      await port.close();
    }
  }
}

/** Waits for the session's board to be back: 'back', 'ended' (its line closed), or 'gone' after `ms`. */
function boardBack(ports: JobPorts, id: string, ms: number, clock: Clock): Promise<'back' | 'ended' | 'gone'> {
  if (!ports.has(id)) return Promise.resolve('ended');
  if (!ports.isLost(id)) return Promise.resolve('back');
  return new Promise((resolve) => {
    const done = (how: 'back' | 'ended' | 'gone') => {
      ports.off('back', onBack);
      ports.off('closed', onClosed);
      clock.clearTimeout(timer);
      resolve(how);
    };
    const onBack = (s: string) => s === id && done('back');
    const onClosed = (s: string) => s === id && done('ended');
    const timer = clock.setTimeout(() => done('gone'), ms);
    ports.on('back', onBack);
    ports.on('closed', onClosed);
  });
}
