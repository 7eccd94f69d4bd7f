// The standard serial baud rates fbay accepts, and the one check every caller uses.

/** Standard rates from 300 to 3,000,000 (including ESP32's 74880 ROM rate and common USB-UART rates). */
export const STANDARD_BAUD_RATES: readonly number[] = [
  300, 600, 1200, 2400, 4800, 9600, 14400, 19200, 28800, 38400, 57600, 74880, 115200, 230400, 250000,
  460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000,
];

const STANDARD = new Set(STANDARD_BAUD_RATES);

export function isStandardBaudRate(rate: unknown): rate is number {
  return typeof rate === 'number' && STANDARD.has(rate);
}

/** A sentence that names the bad value and what would be accepted. */
export function unsupportedBaudMessage(rate: unknown, path: string): string {
  return `baud rate ${String(rate)} is not supported on ${path}; use a standard rate from 300 to 3000000 (e.g. 9600, 115200, 921600)`;
}
