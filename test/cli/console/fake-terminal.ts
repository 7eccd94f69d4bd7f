// A terminal for console tests: a Vt screen, typed input, resizes, and every byte written kept for exact checks.
import { EventEmitter, once } from 'node:events';
import type { ConsoleTerminal } from '../../../src/cli/console/terminal.js';
import { Vt } from './vt.js';

export class FakeTerminal implements ConsoleTerminal {
  readonly vt: Vt;
  readonly written: Buffer[] = [];
  raw = false;
  paused = false;
  #input: ((chunk: Buffer) => void) | null = null;
  readonly #resize = new Set<() => void>();
  readonly #events = new EventEmitter();

  constructor(columns = 80, rows = 24) {
    this.vt = new Vt(columns, rows);
  }

  get columns(): number {
    return this.vt.columns;
  }

  get rows(): number {
    return this.vt.rows;
  }

  write(data: string | Uint8Array): void {
    this.written.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));
    this.vt.write(data);
    this.#events.emit('write');
  }

  start(onInput: (chunk: Buffer) => void): void {
    this.raw = true;
    this.#input = onInput;
  }

  stop(): void {
    this.raw = false;
    this.#input = null;
  }

  pauseInput(): void {
    this.paused = true;
  }

  resumeInput(): void {
    this.paused = false;
  }

  onResize(fn: () => void): () => void {
    this.#resize.add(fn);
    return () => void this.#resize.delete(fn);
  }

  type(keys: string | Buffer): void {
    if (!this.#input) throw new Error('the console is not reading the terminal');
    this.#input(typeof keys === 'string' ? Buffer.from(keys, 'latin1') : keys);
  }

  resize(columns: number, rows: number): void {
    this.vt.resize(columns, rows);
    for (const fn of this.#resize) fn();
  }

  /** The bottom row: the status line. */
  get status(): string {
    return this.vt.row(this.vt.rows - 1);
  }

  /** Screen and scrollback, as one text. */
  get everything(): string {
    return [...this.vt.history, ...this.vt.lines].join('\n');
  }

  /** Waits (on writes, no polling) until `test` holds. */
  async until(test: () => boolean): Promise<void> {
    while (!test()) await once(this.#events, 'write');
  }
}
