// How the console's help fits the terminal: two columns when every line fits whole, one otherwise, and a compact
// list of keys when the full help is taller than the rows above the status line — never a word cut in half, and
// the first lines (quit among them) always shown.
import { COMMAND_KEYS } from './keys.js';
import { textWidth } from './status-model.js';

export interface HelpItem {
  key: string;
  text: string;
}

export interface HelpLayout {
  /** Outer width, border included. */
  width: number;
  /** Each row's items: one or two for the full help, several for the compact one. */
  rows: HelpItem[][];
  /** The full help's item width (key column included); 0 when compact. */
  itemWidth: number;
  footer: string[];
  compact: boolean;
}

export const HELP_TITLE = 'fbay console · press Ctrl-T, then:';
const FOOTER = ['Ctrl-T Ctrl-T sends Ctrl-T', 'Ctrl-] quits at once', 'any other key goes to the board', 'any key closes this help'];
/** Border and padding: a column each side, and one of padding inside. */
const FRAME = 4;
const KEY_COLUMN = 3;
const GAP = 2;
const SEPARATOR = ' · ';

/** `parts` joined by ' · ' into lines of at most `width` columns: a part stays whole on one line unless it is wider. */
export function wrapParts(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  const put = (piece: string, sep: string) => {
    const next = line === '' ? piece : `${line}${sep}${piece}`;
    if (line !== '' && textWidth(next) > width) {
      lines.push(line);
      line = piece;
    } else line = next;
  };
  for (const part of parts) {
    if (textWidth(part) <= width) put(part, SEPARATOR);
    else part.split(' ').forEach((word, i) => put(word, i === 0 ? SEPARATOR : ' '));
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `rows`: the terminal's height (the help then takes at most rows - 3: a row of output, the status line, one spare). */
export function helpLayout(columns: number, rows = Infinity): HelpLayout {
  const items = COMMAND_KEYS.map(([key, , what]) => ({ key, text: what }));
  const itemWidth = Math.max(...items.map((i) => KEY_COLUMN + textWidth(i.text)));
  const two = 2 * itemWidth + GAP + FRAME <= columns;
  const width = Math.max(10, two ? 2 * itemWidth + GAP + FRAME : Math.min(columns, itemWidth + FRAME));
  const inner = width - FRAME;
  const half = Math.ceil(items.length / 2);
  // One column narrower than an item: its words go on to the next row, under the text, never cut.
  const full: HelpItem[][] = two
    ? items.slice(0, half).map((it, i) => [it, ...(items[i + half] ? [items[i + half]!] : [])])
    : items.flatMap((it) => wrapParts([it.text], Math.max(1, inner - KEY_COLUMN)).map((text, i) => [{ key: i === 0 ? it.key : '', text }]));
  const footer = wrapParts(FOOTER, inner);
  const room = rows - 3;
  if (2 + 1 + full.length + footer.length <= room) return { width, rows: full, itemWidth: two ? itemWidth : inner, footer, compact: false };
  // Compact: "q quit · e end · …", as many keys to a line as fit; the footer goes first if rows are short.
  const compactRows: HelpItem[][] = [];
  let row: HelpItem[] = [];
  let used = 0;
  for (const [key, , , short] of COMMAND_KEYS) {
    const w = textWidth(`${key} ${short}`);
    if (row.length > 0 && used + SEPARATOR.length + w > inner) {
      compactRows.push(row);
      row = [];
      used = 0;
    }
    used += (row.length > 0 ? SEPARATOR.length : 0) + w;
    row.push({ key, text: short });
  }
  if (row.length > 0) compactRows.push(row);
  const bodyRoom = Math.max(1, room - 3);
  const body = compactRows.slice(0, bodyRoom);
  const footerRoom = Math.max(0, bodyRoom - body.length);
  return { width, rows: body, itemWidth: 0, footer: footer.slice(0, footerRoom), compact: true };
}
