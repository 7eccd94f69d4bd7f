// Config entries that name a board by serial number or path and say what it is; checked before the registry uses them.
import { isStandardBaudRate } from './baud-rates.js';
import { sanitiseId } from './discovery/discovered-port.js';
import { parseResetNotation } from './reset-sequences.js';
import type { BoardEntryConfig } from '../../shared/config-keys.js';

/**
 * One item of the `boards` config key (written by `fbay boards add`): path is a device path (a /dev/serial/by-id
 * link, a socat pty) matched against discovered ports by its real path; serial_number matches the board wherever
 * it enumerates; reset_hard/reset_bootloader are sequences in esptool's notation.
 */
export type BoardEntry = BoardEntryConfig;

// Ids fbay derives itself start with these; an entry named like one would shadow a board.
const RESERVED_PREFIXES = ['virtual-', 'usb-'];

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
      return Object.freeze({ ...entry });
    }),
  );
}
