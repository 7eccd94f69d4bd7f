// Keeps the bottom rows of the terminal for the console's panel (status line, help, prompts) while board output
// scrolls above them, written straight through.
//
// How: a scroll region (DECSTBM) over the rows above the panel, so output scrolls inside it and lines leaving its top go
// to the terminal's scrollback (tmux, xterm); the panel is painted between a cursor save and restore (DECSC/DECRC),
// which also keep the firmware's colours and the column of a half-printed line. Output is never erased and redrawn, so
// its cost does not depend on the panel, and a prompt without a newline stays where the board left it. The panel is
// drawn with autowrap off, so a line too long for the terminal is cut, never wrapped into the output.

export interface TerminalOut {
  write(data: string | Uint8Array): void;
  readonly columns: number;
  readonly rows: number;
}

const CSI = '\x1b[';
const SAVE = '\x1b7';
const RESTORE = '\x1b8';
/** Index: down one line, scrolling at the bottom margin; unlike "\n" it keeps the column (no ONLCR). */
const INDEX = '\x1bD';
const NO_WRAP = `${CSI}?7l`;
const WRAP = `${CSI}?7h`;

/** Fewer rows than this and the console runs without a panel: output needs the room more. */
export const MIN_ROWS_FOR_PANEL = 4;

export class Screen {
  /** Rows the panel holds now (0: none). */
  #height = 0;
  #rows = 0;
  #columns = 0;

  constructor(private readonly out: TerminalOut) {}

  get height(): number {
    return this.#height;
  }

  /** How many panel lines fit: at least one row is left for output. */
  room(): number {
    const rows = this.out.rows;
    return rows < MIN_ROWS_FOR_PANEL ? 0 : rows - 2;
  }

  /** Paints `lines` (already cut to the width) in the bottom rows, growing or shrinking the panel to fit them. */
  show(lines: readonly string[]): void {
    const { rows, columns } = this.out;
    const height = Math.min(lines.length, this.room());
    let seq = '';
    let clearFrom = rows - Math.max(height, this.#height) + 1;
    if ((rows !== this.#rows || columns !== this.#columns) && this.#rows !== 0) {
      // After a resize the terminal may have moved (or reflowed) the old panel rows: they end up below the cursor,
      // which is where output was being written, so everything from the cursor on is stale. Then room is made again.
      seq += `${CSI}J${SAVE}${CSI}r${RESTORE}`;
      seq += this.#makeRoom(height);
      clearFrom = rows - height + 1;
    } else if (height > this.#height) {
      seq += this.#makeRoom(height - this.#height);
    }
    this.#height = height;
    this.#rows = rows;
    this.#columns = columns;
    if (height === 0) {
      this.out.write(`${seq}${SAVE}${CSI}r${RESTORE}`);
      return;
    }
    const top = rows - height + 1;
    seq += `${SAVE}${CSI}1;${top - 1}r${NO_WRAP}${CSI}0m`;
    for (let row = clearFrom; row < top; row++) seq += `${CSI}${row};1H${CSI}2K`;
    for (let i = 0; i < height; i++) seq += `${CSI}${top + i};1H${CSI}2K${cutToWidth(lines[i]!, columns)}${CSI}0m`;
    this.out.write(`${seq}${WRAP}${RESTORE}`);
  }

  /** Gives the rows back: no scroll region, the panel erased; the cursor stays where output left it. */
  release(): void {
    if (this.#rows === 0) return;
    const rows = this.out.rows;
    const top = rows - this.#height + 1;
    this.out.write(`${SAVE}${CSI}r${this.#height > 0 ? `${CSI}${top};1H${CSI}J` : ''}${RESTORE}`);
    this.#height = 0;
    this.#rows = 0;
    this.#columns = 0;
  }

  /** Moves the output up by `n` lines if the cursor is within `n` of the bottom, so `n` empty rows are below it. */
  #makeRoom(n: number): string {
    return n > 0 ? `${INDEX.repeat(n)}${CSI}${n}A` : '';
  }
}

const ESCAPE = /^\x1b\[[0-9;?]*[ -/]*[@-~]/;

/** The line cut to `columns` columns (one per code point); escape sequences are kept, they take no room. */
export function cutToWidth(line: string, columns: number): string {
  if (line.length <= columns) return line;
  let out = '';
  let width = 0;
  for (let i = 0; i < line.length; ) {
    const m = line.charCodeAt(i) === 0x1b ? ESCAPE.exec(line.slice(i)) : null;
    if (m) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    i += ch.length;
    if (width < columns) out += ch;
    width++;
  }
  return out;
}
