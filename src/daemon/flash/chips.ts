// Espressif chip ids (the image extended header and GET_SECURITY_INFO) and the ROM's chip-detect magic values.

/** Image chip ids as esptool's targets give them; ESP32-S3 is 9. */
const CHIP_NAMES = new Map<number, string>([
  [0, 'ESP32'],
  [2, 'ESP32-S2'],
  [5, 'ESP32-C3'],
  [9, 'ESP32-S3'],
  [12, 'ESP32-C2'],
  [13, 'ESP32-C6'],
  [16, 'ESP32-H2'],
  [18, 'ESP32-P4'],
  [20, 'ESP32-C61'],
  [23, 'ESP32-C5'],
]);

export const ESP32S3_CHIP_ID = 9;
/** What READ_REG of CHIP_DETECT_MAGIC_REG answers on an ESP32-S3 ROM. */
export const ESP32S3_MAGIC = 0x9;
export const CHIP_DETECT_MAGIC_REG = 0x40001000;

export function chipName(id: number): string {
  return CHIP_NAMES.get(id) ?? `an unknown chip (id ${id})`;
}

/** The chip id a board type's ROM and images carry; null for boards that are not Espressif chips. */
export function chipIdForBoardType(type: string): number | null {
  return type === 'esp32-s3' || type === 'virtual' ? ESP32S3_CHIP_ID : null;
}
