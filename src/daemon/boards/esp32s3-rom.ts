// What a real ESP32-S3's ROM prints at a reset (banner, reset cause, boot mode), and the virtual app's greeting.

export const PROMPT = 'fbay-virtual> ';

/** poweron: rst:0x1; software: the app restarted itself; watchdog: the ROM gave up on a bad image; sw-sys: the bootloader did. */
export type ResetCause = 'poweron' | 'software' | 'watchdog' | 'sw-sys';
export type BootMode = 'flash' | 'download';

export const crlf = (lines: readonly string[]) => Buffer.from(lines.map((l) => l + '\r\n').join(''), 'latin1');

const ROM_HEAD = ['ESP-ROM:esp32s3-20210327', 'Build:Mar 27 2021'];
const RST: Record<ResetCause, string> = {
  poweron: 'rst:0x1 (POWERON)',
  software: 'rst:0xc (RTC_SW_CPU_RST)',
  watchdog: 'rst:0x7 (TG0WDT_SYS_RST)',
  'sw-sys': 'rst:0x3 (RTC_SW_SYS_RST)',
};
const SAVED_PC: Partial<Record<ResetCause, string>> = {
  software: 'Saved PC:0x40375a3c',
  watchdog: 'Saved PC:0x40043ac8',
  'sw-sys': 'Saved PC:0x403cdb0a',
};
const BOOT: Record<BootMode, string> = { flash: 'boot:0x8 (SPI_FAST_FLASH_BOOT)', download: 'boot:0x0 (DOWNLOAD(USB/UART0))' };

// Built once and shared by every virtual board: queued output is only ever read, never modified.
const BANNERS = new Map<string, Buffer>();

/** The ROM's lines up to where it loads from flash, or, in download mode, up to `waiting for download`. */
export function romBanner(cause: ResetCause, mode: BootMode): Buffer {
  const key = `${cause}/${mode}`;
  let banner = BANNERS.get(key);
  if (!banner) {
    const savedPc = SAVED_PC[cause];
    const rest = mode === 'download' ? ['waiting for download'] : [];
    banner = crlf([...ROM_HEAD, `${RST[cause]},${BOOT[mode]}`, ...(savedPc ? [savedPc] : []), ...rest]);
    BANNERS.set(key, banner);
  }
  return banner;
}

/** The app's greeting after a flash boot, then the shell prompt. */
export function appReady(name: string): Buffer {
  return Buffer.from(`fbay virtual ESP32-S3 (${name}) ready; type 'help'\r\n${PROMPT}`, 'latin1');
}
