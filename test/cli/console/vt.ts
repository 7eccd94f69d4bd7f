// A small terminal emulator for tests: enough VT100/xterm (cursor moves, save/restore, index, scroll region with
// scrollback, erase, autowrap) to see what the console's writes put on the screen. Like a tty with ONLCR, "\n" is
// CR LF.
import type { TerminalOut } from '../../../src/cli/console/screen.js';

export class Vt implements TerminalOut {
  grid: string[][];
  history: string[] = [];
  r = 0;
  c = 0;
  #saved = { r: 0, c: 0 };
  #top = 0;
  #bottom: number;
  #autowrap = true;
  #pendingWrap = false;
  #decoder = new TextDecoder('utf-8');
  #pending = '';

  constructor(
    public columns: number,
    public rows: number,
  ) {
    this.grid = Array.from({ length: rows }, () => this.#blank());
    this.#bottom = rows - 1;
  }

  write(data: string | Uint8Array): void {
    const text = typeof data === 'string' ? data : this.#decoder.decode(data, { stream: true });
    this.#pending += text;
    this.#run();
  }

  /** Row `i` as text, trailing blanks trimmed. */
  row(i: number): string {
    return this.grid[i]!.join('').trimEnd();
  }

  get lines(): string[] {
    return this.grid.map((_, i) => this.row(i));
  }

  /** A resize as tmux does it for a full screen: rows leave at the top into the history, or come back from it. */
  resize(columns: number, rows: number): void {
    const lines = this.grid.map((row) => row.join('').trimEnd());
    let cursor = this.r;
    while (lines.length > rows) {
      // The cursor's line stays on screen: drop blank rows below it first, then lines above it.
      if (lines.length - 1 > cursor && lines.at(-1) === '') lines.pop();
      else {
        this.history.push(lines.shift()!);
        cursor--;
      }
    }
    while (lines.length < rows) {
      if (this.history.length > 0) {
        lines.unshift(this.history.pop()!);
        cursor++;
      } else lines.push('');
    }
    this.columns = columns;
    this.rows = rows;
    this.grid = lines.map((line) => [...line.slice(0, columns).padEnd(columns, ' ')]);
    this.r = Math.max(0, Math.min(cursor, rows - 1));
    this.c = Math.min(this.c, columns - 1);
    this.#top = 0;
    this.#bottom = rows - 1;
  }

  #blank(): string[] {
    return Array.from({ length: this.columns }, () => ' ');
  }

  #run(): void {
    const s = this.#pending;
    let i = 0;
    while (i < s.length) {
      const ch = s[i]!;
      if (ch === '\x1b') {
        const m = /^\x1b(?:\[([?]?)([0-9;]*)([A-Za-z])|([78DM]))/.exec(s.slice(i));
        if (!m) {
          if (s.length - i < 16) break; // an escape split across writes: wait for the rest
          i++;
          continue;
        }
        if (m[4]) this.#esc(m[4]);
        else this.#csi(m[1]!, m[2]!, m[3]!);
        i += m[0].length;
        continue;
      }
      if (ch === '\r') this.c = 0;
      else if (ch === '\n') {
        this.c = 0;
        this.#lineFeed();
      } else if (ch === '\b') this.c = Math.max(0, this.c - 1);
      else if (ch >= ' ') this.#put(ch);
      if (ch === '\r' || ch === '\n' || ch === '\b') this.#pendingWrap = false;
      i++;
    }
    this.#pending = s.slice(i);
  }

  #put(ch: string): void {
    if (this.#pendingWrap && this.#autowrap) {
      this.c = 0;
      this.#lineFeed();
    }
    this.#pendingWrap = false;
    this.grid[this.r]![this.c] = ch;
    if (this.c === this.columns - 1) this.#pendingWrap = this.#autowrap;
    else this.c++;
  }

  #lineFeed(): void {
    if (this.r === this.#bottom) {
      const gone = this.grid.splice(this.#top, 1)[0]!;
      if (this.#top === 0) this.history.push(gone.join('').trimEnd());
      this.grid.splice(this.#bottom, 0, this.#blank());
    } else if (this.r < this.rows - 1) this.r++;
  }

  #esc(code: string): void {
    this.#pendingWrap = false;
    if (code === '7') this.#saved = { r: this.r, c: this.c };
    else if (code === '8') ({ r: this.r, c: this.c } = this.#saved);
    else if (code === 'D') this.#lineFeed();
  }

  #csi(priv: string, params: string, final: string): void {
    const n = params.split(';').map((p) => (p === '' ? NaN : Number(p)));
    const p1 = Number.isNaN(n[0]!) ? 1 : n[0]!;
    if (priv === '?') {
      if (params === '7') this.#autowrap = final === 'h';
      return;
    }
    this.#pendingWrap = false;
    switch (final) {
      case 'A':
        this.r = Math.max(this.r >= this.#top ? this.#top : 0, this.r - p1);
        break;
      case 'H':
        this.r = Math.min(this.rows - 1, (Number.isNaN(n[0]!) ? 1 : n[0]!) - 1);
        this.c = Math.min(this.columns - 1, (Number.isNaN(n[1] ?? NaN) ? 1 : n[1]!) - 1);
        break;
      case 'K':
        if (params === '2') this.grid[this.r] = this.#blank();
        else for (let c = this.c; c < this.columns; c++) this.grid[this.r]![c] = ' ';
        break;
      case 'J':
        for (let c = this.c; c < this.columns; c++) this.grid[this.r]![c] = ' ';
        for (let r = this.r + 1; r < this.rows; r++) this.grid[r] = this.#blank();
        break;
      case 'r':
        this.#top = Number.isNaN(n[0]!) ? 0 : n[0]! - 1;
        this.#bottom = Number.isNaN(n[1] ?? NaN) ? this.rows - 1 : n[1]! - 1;
        this.r = 0;
        this.c = 0;
        break;
      default:
        break; // colours and the rest do not move anything
    }
  }
}
