// A board entry's flash_command, power and on_end fields: their shapes, and the checks that name what is wrong.
import type { BoardPowerConfig, OnEndConfig } from '../../shared/config/defaults.js';

/** argv run with no shell; {port}, {file} and {offset} are filled in. */
export type Argv = readonly string[];

/** Commands for each action, or a USB hub port switched with uhubctl; `delay_s` sits between off and on in a cycle. */
export type PowerConfig = BoardPowerConfig;

/** What a board gets after a session ends, before it is offered again: images at offsets, or a full erase. */
export type { OnEndConfig };

export interface EntryActions {
  flash_command?: Argv;
  power?: PowerConfig;
  on_end?: OnEndConfig;
}

export const PLACEHOLDERS = ['{port}', '{file}', '{offset}'] as const;
const MAX_ARGS = 64;
export const MAX_POWER_DELAY_S = 60;

function checkArgv(value: unknown, field: string, needFile: boolean): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ARGS || !value.every((a) => typeof a === 'string' && a.length <= 4096)) {
    throw new RangeError(`${field} must be a list of 1 to ${MAX_ARGS} strings, the program first, e.g. ["openocd", "-f", "board.cfg", "-c", "program {file} {offset} verify reset exit"]`);
  }
  if ((value[0] as string).trim() === '') throw new RangeError(`${field}: the program (its first item) must not be empty`);
  for (const arg of value as string[]) {
    const unknown = arg.match(/\{[a-z_]+\}/g)?.find((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
    if (unknown) throw new RangeError(`${field}: ${unknown} is not a placeholder; use ${PLACEHOLDERS.join(', ')}`);
  }
  if (needFile && !(value as string[]).some((a) => a.includes('{file}'))) throw new RangeError(`${field} must name the image with {file}`);
}

/** An offset as a number or as hex/decimal text ("0x10000"). */
export function parseOffset(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string' || !/^(0x[0-9a-fA-F]+|\d+)$/.test(value.trim())) return null;
  return Number(value.trim());
}

function checkPower(power: unknown, at: string): void {
  if (!power || typeof power !== 'object' || Array.isArray(power)) throw new RangeError(`${at}: power must be an object with on/off/cycle commands, or uhubctl: {location, port}`);
  const p = power as Record<string, unknown>;
  if (p.delay_s !== undefined && !(typeof p.delay_s === 'number' && p.delay_s >= 0 && p.delay_s <= MAX_POWER_DELAY_S)) {
    throw new RangeError(`${at}: power.delay_s must be a number of seconds from 0 to ${MAX_POWER_DELAY_S}; got ${String(p.delay_s)}`);
  }
  if (Object.hasOwn(p, 'uhubctl')) {
    const u = p.uhubctl as Record<string, unknown> | null;
    if (!u || typeof u !== 'object' || typeof u.location !== 'string' || !/^\d+(-\d+(\.\d+)*)?$/.test(u.location)) {
      throw new RangeError(`${at}: power.uhubctl.location must be a hub location as uhubctl lists it, e.g. "1-1.4"`);
    }
    if (!Number.isInteger(u.port) || (u.port as number) < 1 || (u.port as number) > 255) throw new RangeError(`${at}: power.uhubctl.port must be a hub port number from 1 to 255`);
    return;
  }
  const actions = (['on', 'off', 'cycle'] as const).filter((a) => p[a] !== undefined);
  if (actions.length === 0) throw new RangeError(`${at}: power needs at least one of on, off and cycle (argv lists), or uhubctl`);
  for (const a of actions) checkArgv(p[a], `${at}: power.${a}`, false);
}

export function checkOnEnd(onEnd: unknown, at: string): void {
  const o = onEnd as Record<string, unknown> | null;
  if (o && typeof o === 'object' && o.erase === true && Object.keys(o).length === 1) return;
  if (!o || typeof o !== 'object' || !Array.isArray(o.flash) || o.flash.length === 0 || Object.keys(o).length !== 1) {
    throw new RangeError(`${at}: on_end must be {"flash": [["0x10000", "/path/app.bin"], ...]} or {"erase": true}`);
  }
  o.flash.forEach((pair: unknown, i: number) => {
    if (!Array.isArray(pair) || pair.length !== 2 || parseOffset(pair[0]) === null || typeof pair[1] !== 'string' || !pair[1].startsWith('/')) {
      throw new RangeError(`${at}: on_end.flash[${i}] must be [OFFSET, "/absolute/path.bin"], e.g. ["0x10000", "/srv/fw/app.bin"]`);
    }
  });
}

/** Throws a RangeError naming the field; `at` names the entry ("board 'lab-1'"). */
export function checkEntryActions(entry: EntryActions, at: string): void {
  if (entry.flash_command !== undefined) checkArgv(entry.flash_command, `${at}: flash_command`, true);
  if (entry.power !== undefined) checkPower(entry.power, at);
  if (entry.on_end !== undefined) checkOnEnd(entry.on_end, at);
  // A flash_command board is restored by that command, which can only write files: an erase needs esptool's protocol.
  if (entry.flash_command !== undefined && entry.on_end !== undefined && 'erase' in entry.on_end) {
    throw new RangeError(`${at}: on_end {"erase": true} needs an ESP ROM, and this board is flashed by its flash_command; give on_end {"flash": [[OFFSET, "/path/blank.bin"], ...]} for the command to write instead`);
  }
}
