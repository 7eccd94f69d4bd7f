// Board resets as DTR/RTS steps and delays, with esptool's timing, run against injected line setters and sleep.
import type { ResetMode } from '../../transport/protocol/ws-messages.js';

/** A change of one or both modem lines; a line left out keeps its level. true = asserted. */
export interface LineChange {
  dtr?: boolean;
  rts?: boolean;
}

export type ResetStep = { set: LineChange } | { wait: number };

/**
 * esptool's ClassicReset ("D0|R1|W0.1|D1|R0|W0.05|D0"): hold EN low 100 ms, then release EN with IO0 low and keep
 * IO0 low for DEFAULT_RESET_DELAY (50 ms) so the chip samples it and enters the ROM download mode.
 */
const BOOTLOADER: readonly ResetStep[] = [
  { set: { dtr: false } }, // IO0 high
  { set: { rts: true } }, // EN low: chip in reset
  { wait: 100 },
  { set: { dtr: true } }, // IO0 low
  { set: { rts: false } }, // EN high: chip out of reset, samples IO0
  { wait: 50 },
  { set: { dtr: false } }, // IO0 high again
];

/**
 * esptool's HardReset ("R1|W0.1|R0"), preceded by DTR off: with DTR on, RTS alone would not pull EN low
 * through the transistor pair, and the reset would silently do nothing.
 */
const HARD: readonly ResetStep[] = [
  { set: { dtr: false } },
  { set: { rts: true } }, // EN low
  { wait: 100 },
  { set: { rts: false } }, // EN high: normal boot
];

export const RESET_SEQUENCES: Readonly<Record<ResetMode, readonly ResetStep[]>> = { bootloader: BOOTLOADER, hard: HARD };

export interface ResetRunner {
  set(change: LineChange): Promise<void>;
  sleep(ms: number): Promise<void>;
}

export const timerSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function runResetSequence(steps: readonly ResetStep[], runner: ResetRunner): Promise<void> {
  for (const step of steps) {
    if ('wait' in step) await runner.sleep(step.wait);
    else await runner.set(step.set);
  }
}

/** The sequence in esptool's custom reset notation (D/R/W), for logs and for comparing with esptool's docs. */
export function describeSequence(steps: readonly ResetStep[]): string {
  const parts: string[] = [];
  for (const step of steps) {
    if ('wait' in step) parts.push(`W${step.wait / 1000}`);
    else {
      if (step.set.dtr !== undefined) parts.push(`D${step.set.dtr ? 1 : 0}`);
      if (step.set.rts !== undefined) parts.push(`R${step.set.rts ? 1 : 0}`);
    }
  }
  return parts.join('|');
}
