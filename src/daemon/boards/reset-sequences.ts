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

/**
 * esptool's USBJTAGSerialReset, for the ESP32-S3's own USB-Serial/JTAG controller (303A:1001), which reads the line
 * state rather than driving transistors: it must pass through (1,1), never (0,0), on the way into reset.
 */
const USB_JTAG_BOOTLOADER: readonly ResetStep[] = [
  { set: { rts: false } },
  { set: { dtr: false } }, // idle
  { wait: 100 },
  { set: { dtr: true } }, // IO0
  { set: { rts: false } },
  { wait: 100 },
  { set: { rts: true } }, // reset, through (1,1)
  { set: { dtr: false } },
  { set: { rts: true } },
  { wait: 100 },
  { set: { dtr: false } },
  { set: { rts: false } }, // out of reset
];

/** esptool's HardReset with uses_usb: the USB controller needs time on either side of the EN pulse. */
const USB_JTAG_HARD: readonly ResetStep[] = [{ set: { rts: true } }, { wait: 200 }, { set: { rts: false } }, { wait: 200 }];

export const USB_JTAG_SEQUENCES: Readonly<Record<ResetMode, readonly ResetStep[]>> = {
  bootloader: USB_JTAG_BOOTLOADER,
  hard: USB_JTAG_HARD,
};

export type ResetSequences = Partial<Record<ResetMode, readonly ResetStep[]>>;

/** The built-in sequences of a reset style; none for boards without one. */
export function sequencesForStyle(style: 'classic' | 'usb_jtag' | null): ResetSequences {
  return style === 'classic' ? RESET_SEQUENCES : style === 'usb_jtag' ? USB_JTAG_SEQUENCES : {};
}

/**
 * Parses esptool's custom reset notation (`--before`/`custom_reset_sequence`): D1/D0 set DTR, R1/R0 set RTS,
 * W<seconds> waits, joined by `|` — e.g. "D0|R1|W0.1|D1|R0|W0.05|D0". Throws a RangeError quoting the bad step.
 */
export function parseResetNotation(text: string): ResetStep[] {
  const steps = text.split('|').map((raw) => {
    const cmd = raw.trim();
    const m = /^([DRW])(\d+(?:\.\d+)?)$/.exec(cmd);
    if (!m || ((m[1] === 'D' || m[1] === 'R') && m[2] !== '0' && m[2] !== '1')) {
      throw new RangeError(`reset sequence step '${cmd}' is not D0, D1, R0, R1 or W<seconds> (e.g. "D0|R1|W0.1|R0")`);
    }
    if (m[1] === 'W') {
      const ms = Math.round(Number(m[2]) * 1000);
      if (ms > 10_000) throw new RangeError(`reset sequence wait '${cmd}' is over 10 s`);
      return { wait: ms };
    }
    return { set: m[1] === 'D' ? { dtr: m[2] === '1' } : { rts: m[2] === '1' } };
  });
  if (steps.length > 64) throw new RangeError('a reset sequence has at most 64 steps');
  return steps;
}

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
