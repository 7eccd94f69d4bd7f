// How `fbay flash` shows a job: a progress line (phase, percent, rate, ETA) redrawn on a TTY, and the summary after.
import type { FlashEvent } from '../../transport/protocol/events.js';
import type { FlashJob } from '../../transport/protocol/flash-api.js';

const BAR = 24;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `writing    42% [██████████··············]   812 kbit/s  ETA 0:05` */
export function progressLine(e: Pick<FlashEvent, 'phase' | 'written' | 'total' | 'kbit_s'>): string {
  const share = e.total > 0 ? Math.min(1, e.written / e.total) : 0;
  const filled = Math.round(share * BAR);
  const rate = e.kbit_s > 0 ? `${String(e.kbit_s).padStart(6)} kbit/s` : ''.padStart(13);
  const left = e.total - e.written;
  const eta = e.phase === 'writing' && e.kbit_s > 0 && left > 0 ? `  ETA ${clock((left * 8) / (e.kbit_s * 1000))}` : '';
  return `${e.phase.padEnd(10)} ${String(Math.floor(share * 100)).padStart(3)}% [${'█'.repeat(filled)}${'·'.repeat(BAR - filled)}] ${rate}${eta}`;
}

const hex = (n: number) => `0x${n.toString(16)}`;

export function summary(job: FlashJob): string {
  const what = job.images.map((i) => `${i.name} at ${hex(i.offset)}`).join(', ');
  const rate = job.method === 'rom' && job.kbit_s > 0 ? ` (${job.kbit_s} kbit/s)` : '';
  const verified = job.method === 'rom' ? (job.verify ? ', verified' : ', not verified (--no-verify)') : '';
  const forced = job.forced.length ? `\nForced: ${job.forced.join(' ')}` : '';
  const boot = job.boot_offset === null ? '' : `\nIts output starts at offset ${job.boot_offset}: fbay serial cat ${job.session_id} --since ${job.boot_offset}`;
  return `Flashed ${what} in ${job.seconds ?? 0} s${rate}${verified}; the board was reset.${forced}${boot}\n`;
}

/** A TTY line redrawn in place: log lines go above it, the bar stays last. */
export class ProgressBar {
  #shown = false;

  constructor(private readonly write: (text: string) => void) {}

  draw(line: string): void {
    this.write(`\r\x1b[2K${line}`);
    this.#shown = true;
  }

  /** A line of the flasher's log above the bar. */
  above(text: string, bar: string | null): void {
    this.write(`${this.#shown ? '\r\x1b[2K' : ''}${text}\n`);
    this.#shown = false;
    if (bar !== null) this.draw(bar);
  }

  done(): void {
    if (this.#shown) this.write('\n');
    this.#shown = false;
  }
}
