// What a real ESP32-S3 prints at boot (ROM banner, 2nd stage bootloader, app start), for the virtual boards.

export const PROMPT = 'fbay-virtual> ';

export type ResetCause = 'poweron' | 'software';
export type BootMode = 'flash' | 'download';

const crlf = (lines: string[]) => Buffer.from(lines.map((l) => l + '\r\n').join(''), 'latin1');

const ROM_HEAD = ['ESP-ROM:esp32s3-20210327', 'Build:Mar 27 2021'];
const RST: Record<ResetCause, string> = { poweron: 'rst:0x1 (POWERON)', software: 'rst:0xc (RTC_SW_CPU_RST)' };
const BOOT: Record<BootMode, string> = { flash: 'boot:0x8 (SPI_FAST_FLASH_BOOT)', download: 'boot:0x0 (DOWNLOAD(USB/UART0))' };

const FLASH_BOOT = [
  'SPIWP:0xee',
  'mode:DIO, clock div:1',
  'load:0x3fce3818,len:0x16f8',
  'load:0x403c9700,len:0x4',
  'load:0x403c9704,len:0xc00',
  'load:0x403cc700,len:0x2eb0',
  'entry 0x403c9908',
  'I (27) boot: ESP-IDF v5.2.1 2nd stage bootloader',
  'I (27) boot: compile time Jan  2 2025 10:00:00',
  'I (27) boot: Multicore bootloader',
  'I (30) boot: chip revision: v0.2',
  'I (34) boot.esp32s3: Boot SPI Speed : 80MHz',
  'I (39) boot.esp32s3: SPI Mode       : DIO',
  'I (44) boot.esp32s3: SPI Flash Size : 8MB',
  'I (48) boot: Enabling RNG early entropy source...',
  'I (133) boot: Loaded app from partition at offset 0x10000',
  'I (133) boot: Disabling RNG early entropy source...',
  'I (145) cpu_start: Multicore app',
  'I (154) cpu_start: Pro cpu start user code',
  'I (154) cpu_start: cpu freq: 160000000 Hz',
  'I (157) app_init: Project name:     fbay-virtual',
  'I (168) app_init: ESP-IDF:          v5.2.1',
  'I (282) main_task: Started on CPU0',
  'I (292) main_task: Calling app_main()',
];

// Built once and shared by every virtual board: queued output is only ever read, never modified.
const BANNERS = new Map<string, Buffer>();

/** The ROM banner and, for a flash boot, the bootloader and app start log. */
export function bootBanner(cause: ResetCause, mode: BootMode): Buffer {
  const key = `${cause}/${mode}`;
  let banner = BANNERS.get(key);
  if (!banner) {
    const rst = [`${RST[cause]},${BOOT[mode]}`];
    const savedPc = cause === 'software' ? ['Saved PC:0x40375a3c'] : [];
    const rest = mode === 'download' ? ['waiting for download'] : FLASH_BOOT;
    banner = crlf([...ROM_HEAD, ...rst, ...savedPc, ...rest]);
    BANNERS.set(key, banner);
  }
  return banner;
}

/** The app's greeting after a flash boot, then the shell prompt. */
export function appReady(name: string): Buffer {
  return Buffer.from(`fbay virtual ESP32-S3 (${name}) ready; type 'help'\r\n${PROMPT}`, 'latin1');
}
