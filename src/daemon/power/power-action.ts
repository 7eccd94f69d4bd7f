// A power action from a board entry's `power`: its argv or uhubctl, then a check that the USB device left and came back.
import type { Clock } from '../../shared/clock.js';
import type { PowerConfig } from '../boards/entry-actions.js';
import { runCommand, type CommandResult } from '../flash/flash-command.js';
import type { Presence } from './usb-presence.js';

export type PowerAction = 'on' | 'off' | 'cycle';
export const DEFAULT_POWER_DELAY_S = 2;
/** How long the USB device gets to leave (off) or come back (on) before the action counts as unverified. */
export const VERIFY_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

export interface PowerResult {
  action: PowerAction;
  verified: 'verified' | 'unverified';
  /** Why it is unverified; null when verified. */
  why: string | null;
  output: string[];
}

/** A command failed: its exit code and stderr are in the message. */
export class PowerError extends Error {
  constructor(
    message: string,
    readonly result: CommandResult | null,
  ) {
    super(message);
    this.name = 'PowerError';
  }
}

export interface PowerOptions {
  clock: Clock;
  presence: Presence;
  signal?: AbortSignal;
  /** Finds a program on PATH (tests give their own); default: searches PATH. */
  which?: (program: string) => Promise<string | null>;
  verifyTimeoutMs?: number;
}

export async function runPower(config: PowerConfig, action: PowerAction, options: PowerOptions): Promise<PowerResult> {
  const output: string[] = [];
  const run = async (argv: readonly string[]) => {
    const r = await runCommand(argv, { clock: options.clock, timeoutMs: 60_000, onLine: (l) => output.push(l), ...(options.signal ? { signal: options.signal } : {}) });
    if (r.failure) throw new PowerError(`Power ${action} failed: ${r.failure}`, r);
  };
  const delayS = config.delay_s ?? DEFAULT_POWER_DELAY_S;
  const steps = await stepsFor(config, action, delayS, options.which ?? findOnPath);
  const watch = action === 'cycle' ? watchCycle(options) : null;
  for (const step of steps) {
    if (step === 'wait') await sleep(options.clock, delayS * 1000);
    else await run(step);
  }
  const why = watch ? await watch : await settle(options, action === 'on');
  return { action, verified: why === null ? 'verified' : 'unverified', why, output };
}

type Step = readonly string[] | 'wait';

async function stepsFor(config: PowerConfig, action: PowerAction, delayS: number, which: (p: string) => Promise<string | null>): Promise<Step[]> {
  if ('uhubctl' in config) {
    const uhubctl = await which('uhubctl');
    if (!uhubctl) throw new PowerError("This board's power is switched with uhubctl, which is not installed on the board host: install it (apt install uhubctl).", null);
    const { location, port } = config.uhubctl;
    return [[uhubctl, '-l', location, '-p', String(port), '-a', action, ...(action === 'cycle' ? ['-d', String(delayS)] : [])]];
  }
  if (config[action]) return [config[action]!];
  if (action === 'cycle' && config.off && config.on) return [config.off, 'wait', config.on];
  throw new PowerError(`This board's power config has no '${action}' command${action === 'cycle' ? ' (and not both off and on)' : ''}: add it to the board's config entry.`, null);
}

/** Waits until the device is present (or absent); null when it is, else why not. */
async function settle(options: PowerOptions, present: boolean): Promise<string | null> {
  const deadline = options.clock.now() + (options.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS);
  for (;;) {
    const now = options.presence();
    if (now === null) return 'fbay cannot recognise this board on the USB bus (it has no serial number or USB location)';
    if (now === present) return null;
    if (options.clock.now() >= deadline) {
      return present ? 'the USB device did not come back' : 'the USB device did not go away (a hub that does not switch VBUS, or a board powered from elsewhere?)';
    }
    await sleep(options.clock, POLL_MS);
  }
}

/** A cycle is verified when the device is seen gone at some point, then back. */
async function watchCycle(options: PowerOptions): Promise<string | null> {
  const deadline = options.clock.now() + (options.verifyTimeoutMs ?? VERIFY_TIMEOUT_MS) * 2;
  let left = false;
  for (;;) {
    const now = options.presence();
    if (now === null) return 'fbay cannot recognise this board on the USB bus (it has no serial number or USB location)';
    if (!now) left = true;
    else if (left) return null;
    if (options.clock.now() >= deadline) return left ? 'the USB device did not come back' : 'the USB device never went away (a hub that does not switch VBUS?)';
    await sleep(options.clock, POLL_MS);
  }
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

async function findOnPath(program: string): Promise<string | null> {
  const { access, constants } = await import('node:fs/promises');
  const { delimiter, join } = await import('node:path');
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, program);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
