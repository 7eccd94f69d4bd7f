// The control side of an open port (reset, DTR/RTS, baud, break), one operation at a time, over SerialPortStream.
import type { SerialPortStream } from '@serialport/stream';
import { ApiError } from '../../transport/protocol/errors.js';
import type { ResetMode } from '../../transport/protocol/ws-messages.js';
import type { SerialControl } from '../../transport/serial/port.js';
import { RESET_SEQUENCES, runResetSequence, timerSleep, type LineChange, type ResetSequences } from './reset-sequences.js';

/** How long a break condition is held: tcsendbreak's 0.25 s. */
export const BREAK_MS = 250;

export interface SerialControlOptions {
  sleep?: (ms: number) => Promise<void>;
  /** The board's reset sequences by mode (default: the classic USB-UART ones). */
  sequences?: ResetSequences;
  /** Names the board in the error for a mode it has no sequence for. */
  board?: string;
}

export class PortControl implements SerialControl {
  // Linux raises DTR and RTS when a tty is opened; the stream's set() writes both lines every time, so track them.
  #lines = { dtr: true, rts: true };
  #queue: Promise<unknown> = Promise.resolve();
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly stream: SerialPortStream,
    options: SerialControlOptions = {},
  ) {
    this.#sleep = options.sleep ?? timerSleep;
    this.#sequences = options.sequences ?? RESET_SEQUENCES;
    this.#board = options.board ?? stream.path;
  }

  readonly #sequences: ResetSequences;
  readonly #board: string;

  reset(mode: ResetMode): Promise<void> {
    if (mode !== 'hard' && mode !== 'bootloader') {
      return Promise.reject(new ApiError('invalid_request', `reset mode must be 'hard' or 'bootloader'; got '${String(mode)}'.`));
    }
    const steps = this.#sequences[mode];
    if (!steps) {
      return Promise.reject(
        new ApiError(
          'invalid_request',
          `Board ${this.#board} has no ${mode} reset sequence. Give it one in esptool's notation: \`fbay boards add … --reset-${mode} "D0|R1|W0.1|R0"\`.`,
        ),
      );
    }
    return this.#serial(() => runResetSequence(steps, { set: (c) => this.#apply(c), sleep: this.#sleep }));
  }

  setSignals(s: LineChange): Promise<void> {
    return this.#serial(() => this.#apply(s));
  }

  setBaud(rate: number): Promise<void> {
    if (!Number.isInteger(rate) || rate <= 0) {
      return Promise.reject(new ApiError('invalid_request', `baud rate must be a positive whole number; got ${String(rate)}.`));
    }
    return this.#serial(
      () =>
        new Promise<void>((resolve, reject) => {
          this.stream.update({ baudRate: rate }, (err) => {
            if (!err) resolve();
            else reject(new ApiError('invalid_request', `Could not set ${this.stream.path} to ${rate} baud: ${err.message}.`));
          });
        }),
    );
  }

  sendBreak(): Promise<void> {
    return this.#serial(async () => {
      await this.#apply({}, true);
      try {
        await this.#sleep(BREAK_MS);
      } finally {
        await this.#apply({}, false);
      }
    });
  }

  /** Runs operations one after another, so a reset's line changes are never interleaved with another's. */
  #serial(op: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #apply(change: LineChange, brk = false): Promise<void> {
    if (change.dtr !== undefined) this.#lines.dtr = change.dtr;
    if (change.rts !== undefined) this.#lines.rts = change.rts;
    const { dtr, rts } = this.#lines;
    return new Promise((resolve, reject) => {
      this.stream.set({ dtr, rts, brk }, (err) => (err ? reject(err) : resolve()));
    });
  }
}
