// Config entries that name a board by serial number or path and say what it is; checked before the registry uses them.
import { isStandardBaudRate } from './baud-rates.js';
import { sanitiseId } from './discovery/discovered-port.js';
import { parseResetNotation } from './reset-sequences.js';
import { checkEntryActions, type EntryActions } from './entry-actions.js';
import type { BoardEntryConfig } from '../../shared/config-keys.js';

/**
 * One item of the `boards` config key (written by `fbay boards add`): path is a device path (a /dev/serial/by-id
 * link, a socat pty) matched against discovered ports by its real path; serial_number matches the board wherever
 * it enumerates; reset_hard/reset_bootloader are sequences in esptool's notation; flash_command, power and on_end
 * are in entry-actions.ts.
 */
export type BoardEntry = BoardEntryConfig & EntryActions;

// Ids fbay derives itself start with these; an entry named like one would shadow a board.
const RESERVED_PREFIXES = ['virtual-', 'usb-'];
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_NAME = 64;

/**
 * The name an entry gets when none is given: the device's last path component (`ttyACM0`), with its directory when
 * that alone says little (`/dev/pts/0` → `pts-0`), or `TYPE-SERIAL` for a serial number; prefixed by the type where
 * it would look like an id fbay gives boards itself (`/dev/serial/by-id/usb-…`).
 */
export function defaultEntryName(entry: { type?: unknown; path?: unknown; serial_number?: unknown }): string | undefined {
  const type = typeof entry.type === 'string' ? entry.type : 'board';
  let name: string;
  if (typeof entry.path === 'string') {
    const parts = entry.path.split('/').filter(Boolean);
    const last = parts.at(-1);
    if (last === undefined) return undefined;
    name = /^\d+$/.test(last) && parts.length > 1 ? `${parts.at(-2)}-${last}` : last;
  } else if (typeof entry.serial_number === 'string') {
    name = `${type}-${entry.serial_number}`;
  } else return undefined;
  const id = entryId(name);
  return RESERVED_PREFIXES.some((p) => id.startsWith(p)) ? entryId(`${type}-${name}`) : id;
}

/** The board id of an entry: its name, made safe. */
export function entryId(name: string): string {
  return sanitiseId(name);
}

/** Validated, frozen copies; a RangeError naming the entry and the value for anything wrong. */
export function checkEntries(entries: readonly BoardEntry[]): readonly BoardEntry[] {
  if (!Array.isArray(entries)) throw new RangeError(`boards must be a list of board entries; got ${typeof entries}`);
  const ids = new Set<string>();
  return Object.freeze(
    entries.map((entry, i) => {
      const where = `boards[${i}]`;
      if (!entry || typeof entry !== 'object') throw new RangeError(`${where} must be an object; got ${String(entry)}`);
      const { name, type, path, serial_number, baud, rate_credits_per_min } = entry;
      if (typeof name !== 'string' || name.trim() === '') throw new RangeError(`${where}.name must be a non-empty string`);
      for (const [field, value] of [['name', name], ['path', path], ['serial_number', serial_number]] as const) {
        // A newline or an escape in a name or path would break every table and log line it is printed in.
        if (typeof value === 'string' && CONTROL.test(value)) {
          throw new RangeError(`${where}.${field} must not contain control characters (newlines, tabs, escapes); got ${JSON.stringify(value)}`);
        }
      }
      if (name.length > MAX_NAME) throw new RangeError(`${where}.name must be at most ${MAX_NAME} characters; got ${name.length}`);
      const at = `board '${name}'`;
      if (typeof type !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(type)) {
        throw new RangeError(`${at}: type must be a board type such as esp32-s3 or usb-serial; got '${String(type)}'`);
      }
      const id = entryId(name);
      if (RESERVED_PREFIXES.some((p) => id.startsWith(p))) {
        throw new RangeError(`${at}: names starting with ${RESERVED_PREFIXES.join(' or ')} are reserved for ids fbay gives boards itself`);
      }
      if (ids.has(id)) throw new RangeError(`${at}: another entry already has the name '${id}'`);
      ids.add(id);
      if (path === undefined && serial_number === undefined) throw new RangeError(`${at} needs a path or a serial_number to find it by`);
      if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) {
        throw new RangeError(`${at}: path must be an absolute device path; got '${String(path)}'`);
      }
      if (serial_number !== undefined && (typeof serial_number !== 'string' || serial_number === '')) {
        throw new RangeError(`${at}: serial_number must be a non-empty string`);
      }
      if (baud !== undefined && !isStandardBaudRate(baud)) {
        throw new RangeError(`${at}: baud must be a standard rate from 300 to 3000000; got ${String(baud)}`);
      }
      if (rate_credits_per_min !== undefined && !(typeof rate_credits_per_min === 'number' && Number.isFinite(rate_credits_per_min) && rate_credits_per_min >= 0)) {
        throw new RangeError(`${at}: rate_credits_per_min must be a number ≥ 0; got ${String(rate_credits_per_min)}`);
      }
      for (const key of ['reset_hard', 'reset_bootloader'] as const) {
        const seq = entry[key];
        if (seq === undefined) continue;
        if (typeof seq !== 'string') throw new RangeError(`${at}: ${key} must be a string like "D0|R1|W0.1|R0"`);
        try {
          parseResetNotation(seq);
        } catch (err) {
          throw new RangeError(`${at}: ${key}: ${(err as Error).message}`);
        }
      }
      checkEntryActions(entry, at);
      return Object.freeze({ ...entry });
    }),
  );
}

/**
 * Checks an entry about to be added against those there already and the types this host knows: the same device
 * (path or serial number) cannot be two boards, and a type no board has is refused unless `newType` (a typo would
 * otherwise make a type nobody asks for). A RangeError with the sentence to show.
 */
export function checkNewEntry(entry: BoardEntry, existing: readonly BoardEntry[], knownTypes: Iterable<string>, newType = false): void {
  for (const other of existing) {
    if (entry.path !== undefined && other.path === entry.path) {
      throw new RangeError(`${entry.path} is already the board '${other.name}'; remove that entry first (\`fbay boards remove ${other.name}\`)`);
    }
    if (entry.serial_number !== undefined && other.serial_number === entry.serial_number) {
      throw new RangeError(`serial number ${entry.serial_number} is already the board '${other.name}'; remove that entry first (\`fbay boards remove ${other.name}\`)`);
    }
  }
  const known = [...new Set(knownTypes)].sort();
  if (newType || known.includes(entry.type)) return;
  const near = closest(entry.type, known);
  throw new RangeError(
    `board type '${entry.type}' is not one this host knows${near ? ` (did you mean ${near}?)` : ''}; known types: ${known.join(', ')}. ` +
      'To make a new type, add it again with --new-type',
  );
}

/** The known word nearest to `word` (edit distance at most 2, or the same once '-' and '_' are dropped). */
export function closest(word: string, words: readonly string[]): string | undefined {
  const bare = (w: string) => w.toLowerCase().replace(/[-_.]/g, '');
  let best: { word: string; d: number } | undefined;
  for (const w of words) {
    const d = bare(w) === bare(word) ? 0 : distance(word.toLowerCase(), w.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { word: w, d };
  }
  return best?.word;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
