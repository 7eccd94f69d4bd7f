// The built-in board types: what a board of each type costs per minute and the baud rate it talks at by default.

export interface BoardType {
  type: string;
  description: string;
  rate_credits_per_min: number;
  default_baud: number;
}

const BUILT_IN: readonly BoardType[] = Object.freeze([
  { type: 'esp32-s3', description: 'Espressif ESP32-S3 (USB-Serial/JTAG or USB-UART bridge)', rate_credits_per_min: 2, default_baud: 115200 },
  { type: 'usb-serial', description: 'any other USB serial device', rate_credits_per_min: 1, default_baud: 115200 },
  { type: 'virtual', description: 'simulated ESP32-S3 with a line-echo shell, no hardware needed', rate_credits_per_min: 1, default_baud: 115200 },
].map((t) => Object.freeze(t)));

const BY_TYPE = new Map(BUILT_IN.map((t) => [t.type, t]));

/** Every built-in board type, sorted by name. */
export function knownBoardTypes(): readonly BoardType[] {
  return BUILT_IN;
}

export function boardType(type: string): BoardType | undefined {
  return BY_TYPE.get(type);
}
