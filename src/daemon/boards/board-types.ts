// The built-in board types: what a board of each type costs per minute, its default baud rate and how it is reset.

/**
 * How the host resets a board over its serial lines: `classic` is esptool's DTR/RTS dance through a USB-UART
 * bridge's auto-reset transistors; `usb_jtag` is the ESP32-S3 USB-Serial/JTAG controller's own line-state protocol.
 */
export type ResetStyle = 'classic' | 'usb_jtag';

export interface BoardType {
  type: string;
  description: string;
  rate_credits_per_min: number;
  default_baud: number;
  /** The reset used when the USB device does not say otherwise (see catalog.ts); null: no built-in sequence. */
  reset_style: ResetStyle | null;
}

const BUILT_IN: readonly BoardType[] = Object.freeze([
  { type: 'arduino-uno', description: 'Arduino Uno (ATmega16U2 USB serial)', rate_credits_per_min: 1, default_baud: 9600, reset_style: null },
  { type: 'esp32-s3', description: 'Espressif ESP32-S3 (USB-Serial/JTAG or USB-UART bridge)', rate_credits_per_min: 2, default_baud: 115200, reset_style: 'classic' },
  { type: 'rp2040', description: 'Raspberry Pi RP2040 (Pico USB CDC)', rate_credits_per_min: 1, default_baud: 115200, reset_style: null },
  { type: 'stm32', description: 'STM32 board behind an ST-LINK virtual COM port', rate_credits_per_min: 2, default_baud: 115200, reset_style: null },
  { type: 'usb-serial', description: 'any other USB serial device', rate_credits_per_min: 1, default_baud: 115200, reset_style: null },
  { type: 'virtual', description: 'simulated ESP32-S3 with a line-echo shell, no hardware needed', rate_credits_per_min: 1, default_baud: 115200, reset_style: 'classic' },
].map((t) => Object.freeze(t as BoardType)));

const BY_TYPE = new Map(BUILT_IN.map((t) => [t.type, t]));

/** Every built-in board type, sorted by name. */
export function knownBoardTypes(): readonly BoardType[] {
  return BUILT_IN;
}

export function boardType(type: string): BoardType | undefined {
  return BY_TYPE.get(type);
}
