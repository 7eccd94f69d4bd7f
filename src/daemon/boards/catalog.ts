// The built-in USB VID:PID catalog: which board type a USB serial device is, and how its serial lines reset it.
import type { ResetStyle } from './board-types.js';

export interface CatalogEntry {
  vid: string;
  pid: string;
  /** A board type from board-types.ts. */
  type: string;
  description: string;
  reset_style: ResetStyle | null;
}

/** Any USB serial device the catalog does not know. */
export const UNKNOWN_USB_TYPE = 'usb-serial';

// USB-UART bridges carry `usb-serial`: the board behind them is unknown, but esptool's classic auto-reset wiring
// (DTR/RTS → IO0/EN) is what boards built around them use, so that is their reset.
const ENTRIES: readonly CatalogEntry[] = ([
  { vid: '303a', pid: '1001', type: 'esp32-s3', description: 'Espressif USB-Serial/JTAG', reset_style: 'usb_jtag' },
  { vid: '10c4', pid: 'ea60', type: 'usb-serial', description: 'Silicon Labs CP210x', reset_style: 'classic' },
  { vid: '1a86', pid: '7523', type: 'usb-serial', description: 'WCH CH340', reset_style: 'classic' },
  { vid: '1a86', pid: '55d3', type: 'usb-serial', description: 'WCH CH343', reset_style: 'classic' },
  { vid: '0403', pid: '6001', type: 'usb-serial', description: 'FTDI FT232R', reset_style: 'classic' },
  { vid: '0403', pid: '6010', type: 'usb-serial', description: 'FTDI FT2232', reset_style: 'classic' },
  { vid: '0403', pid: '6014', type: 'usb-serial', description: 'FTDI FT232H', reset_style: 'classic' },
  { vid: '0403', pid: '6015', type: 'usb-serial', description: 'FTDI FT231X', reset_style: 'classic' },
  { vid: '2e8a', pid: '0005', type: 'rp2040', description: 'Raspberry Pi RP2040 (MicroPython)', reset_style: null },
  { vid: '2e8a', pid: '000a', type: 'rp2040', description: 'Raspberry Pi RP2040 (Pico SDK stdio)', reset_style: null },
  { vid: '0483', pid: '374b', type: 'stm32', description: 'ST-LINK/V2-1 virtual COM port', reset_style: null },
  { vid: '0483', pid: '374e', type: 'stm32', description: 'ST-LINK/V3 virtual COM port', reset_style: null },
  { vid: '2341', pid: '0043', type: 'arduino-uno', description: 'Arduino Uno R3', reset_style: null },
] as CatalogEntry[]).map((e) => Object.freeze(e));

const BY_ID = new Map(ENTRIES.map((e) => [`${e.vid}:${e.pid}`, e]));

/** Every catalog entry, in table order. */
export function catalogEntries(): readonly CatalogEntry[] {
  return ENTRIES;
}

/** The entry for a VID:PID (hex, any case, with or without 0x); undefined when the catalog does not know it. */
export function lookupUsb(vid: string | null, pid: string | null): CatalogEntry | undefined {
  if (vid === null || pid === null) return undefined;
  return BY_ID.get(`${normaliseUsbId(vid)}:${normaliseUsbId(pid)}`);
}

/** `0x303A` → `303a`: the form sysfs and udev use, and the one ids are made of. */
export function normaliseUsbId(id: string): string {
  return id.trim().toLowerCase().replace(/^0x/, '').padStart(4, '0');
}
