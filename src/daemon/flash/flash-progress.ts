// Flash progress as the API reports it: phase, bytes written of the total, and esptool's effective rate.
import type { Clock } from '../../shared/clock.js';
import type { FlashPhase } from '../../transport/protocol/ws-messages.js';

export type { FlashPhase };

export interface FlashProgress {
  phase: FlashPhase;
  /** Uncompressed bytes in flash so far, over every image. */
  written: number;
  total: number;
  /** Uncompressed bits over writing time, in kbit/s, as esptool prints "effective" rates. */
  kbit_s: number;
}

/** At most one progress report this often while writing; every phase change is reported at once. */
export const PROGRESS_INTERVAL_MS = 100;

export class ProgressMeter {
  #phase: FlashPhase = 'connecting';
  #written = 0;
  #writingMs = 0;
  #writingSince: number | null = null;
  #lastReport = -Infinity;

  constructor(
    readonly total: number,
    private readonly clock: Clock,
    private readonly report: (p: FlashProgress) => void,
  ) {}

  phase(phase: FlashPhase): void {
    const now = this.clock.now();
    if (this.#writingSince !== null) this.#writingMs += now - this.#writingSince;
    this.#writingSince = phase === 'writing' || phase === 'erasing' ? now : null;
    if (phase === this.#phase && phase !== 'connecting') return;
    this.#phase = phase;
    this.#emit(now);
  }

  /** `written` is the running total; reports are throttled, the last one (all written) is not. */
  written(written: number): void {
    this.#written = written;
    const now = this.clock.now();
    if (now - this.#lastReport >= PROGRESS_INTERVAL_MS || written === this.total) this.#emit(now);
  }

  /** Milliseconds spent erasing and writing so far. */
  get writingMs(): number {
    return this.#writingMs + (this.#writingSince === null ? 0 : this.clock.now() - this.#writingSince);
  }

  get kbitPerS(): number {
    const ms = this.writingMs;
    return ms > 0 ? Math.round((this.#written * 8) / ms) : 0; // bits per ms = kbit/s
  }

  #emit(now: number): void {
    this.#lastReport = now;
    this.report({ phase: this.#phase, written: this.#written, total: this.total, kbit_s: this.kbitPerS });
  }
}
