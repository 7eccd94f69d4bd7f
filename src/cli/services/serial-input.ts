// What `fbay serial send` sends: TEXT (with C-style escapes when asked) or a file's bytes, plus the line ending.
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../transport/protocol/errors.js';

export const EOLS = { none: '', cr: '\r', lf: '\n', crlf: '\r\n' } as const;
export type Eol = keyof typeof EOLS;

const usage = (message: string, next?: string) => new UserError(message, { exit: EXIT.usage, code: 'usage', ...(next ? { next } : {}) });

export function parseEol(text: string): Eol {
  if (Object.hasOwn(EOLS, text)) return text as Eol;
  throw usage(`--eol must be one of ${Object.keys(EOLS).join(', ')}; got '${text}'.`);
}

const SIMPLE: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, e: 27, '0': 0, '\\': 92, "'": 39, '"': 34 };

/**
 * TEXT with C-style escapes → bytes. `\xHH` is that one byte (so any byte can be sent); `\uHHHH` and `\u{H…}` are that
 * character in UTF-8; everything else is UTF-8. An unknown or cut-off escape is a usage error quoting it.
 */
export function unescapeText(text: string): Buffer {
  const parts: Buffer[] = [];
  let literal = 0;
  const flush = (end: number) => {
    if (end > literal) parts.push(Buffer.from(text.slice(literal, end), 'utf8'));
  };
  for (let i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', literal)) {
    flush(i);
    const { bytes, length } = escapeAt(text, i);
    parts.push(bytes);
    literal = i + length;
  }
  flush(text.length);
  return Buffer.concat(parts);
}

function escapeAt(text: string, i: number): { bytes: Buffer; length: number } {
  const c = text[i + 1];
  if (c === undefined) throw badEscape('\\', 'a lone \\ at the end');
  const simple = SIMPLE[c];
  if (simple !== undefined) return { bytes: Buffer.of(simple), length: 2 };
  if (c === 'x') {
    const hex = /^[0-9a-fA-F]{2}/.exec(text.slice(i + 2))?.[0];
    if (!hex) throw badEscape(text.slice(i, i + 4), '\\x takes two hex digits, like \\x1b');
    return { bytes: Buffer.of(parseInt(hex, 16)), length: 4 };
  }
  if (c === 'u') {
    const m = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))/.exec(text.slice(i + 2));
    const code = m ? parseInt(m[1] ?? m[2]!, 16) : NaN;
    if (!m || code > 0x10ffff) throw badEscape(text.slice(i, i + 6), '\\u takes four hex digits or {1-6 hex digits}, like \\u00e9');
    return { bytes: Buffer.from(String.fromCodePoint(code), 'utf8'), length: 2 + m[0].length };
  }
  throw badEscape(`\\${c}`, 'known escapes: \\a \\b \\e \\f \\n \\r \\t \\v \\0 \\\\ \\\' \\" \\xHH \\uHHHH');
}

function badEscape(seen: string, why: string): UserError {
  return usage(`TEXT has an escape fbay does not know: '${seen}' (${why}).`, 'Drop --escapes to send TEXT as typed.');
}

export interface SendFlags {
  file?: string;
  eol?: string;
  escapes?: boolean;
}

/** TEXT or --file (exactly one), and the line ending: `cr` after TEXT by default (what Enter sends), none after a file. */
export function planSend(text: string | undefined, flags: SendFlags): { source: { text: Buffer } | { file: string }; eol: Buffer } {
  if ((text === undefined) === (flags.file === undefined)) {
    throw usage('Give TEXT or --file F (one of them).', "For example: fbay serial send 'help', or fbay serial send --file script.txt");
  }
  if (flags.escapes && flags.file !== undefined) throw usage('--escapes applies to TEXT, not to --file (a file is sent byte for byte).');
  const eol = Buffer.from(EOLS[flags.eol === undefined ? (text === undefined ? 'none' : 'cr') : parseEol(flags.eol)], 'latin1');
  if (text === undefined) return { source: { file: flags.file! }, eol };
  return { source: { text: flags.escapes ? unescapeText(text) : Buffer.from(text, 'utf8') }, eol };
}

/** `--since N`: a byte offset in the session's output. */
export function parseOffset(text: string, option = '--since'): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw usage(`${option} must be a byte offset (a whole number ≥ 0); got '${text}'.`);
  return n;
}

/**
 * `[ID] VALUE`: commander fills the first slot first, so a lone positional is VALUE (TEXT, REGEX) — unless VALUE comes
 * from elsewhere (--file), when it is the ID.
 */
export function idAndValue(first: string | undefined, second: string | undefined, valueElsewhere: boolean): { id?: string; value?: string } {
  if (valueElsewhere) {
    if (second !== undefined) throw usage(`Give TEXT or --file, not both (got '${second}' and a file).`);
    return first === undefined ? {} : { id: first };
  }
  if (second === undefined) return first === undefined ? {} : { value: first };
  return { id: first!, value: second };
}
