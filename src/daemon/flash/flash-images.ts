// Flashes images onto an ESP32-S3 through its ROM loader: connect, detect, attach, baud, write, verify, reset.
import type { Clock } from '../../shared/clock.js';
import type { SerialPortHandle } from '../../transport/serial/port.js';
import { ApiError } from '../../transport/protocol/errors.js';
import { isStandardBaudRate } from '../boards/baud-rates.js';
import { ESP32S3_CHIP_ID, chipName } from './chips.js';
import { Aborted, CommandFailed, CommandTimeout, FlashError, PortGone, type FlashResume } from './flash-errors.js';
import { DEFAULT_FLASH_SIZE, SECTOR_SIZE, hex } from './flash-plan.js';
import { ProgressMeter, type FlashProgress } from './flash-progress.js';
import { LoaderLink } from './loader-link.js';
import { connectRom, detectChip } from './rom-connect.js';
import { OP, ROM_FLASH_BLOCK, TIMEOUT, words } from './rom-protocol.js';
import { padded, verifyRegion, writeRegion, type RegionImage } from './write-region.js';

/** The ESP ROM talks at 115200 baud after a reset. */
export const ROM_BAUD = 115200;

export interface FlashOptions {
  verify: boolean;
  eraseAll: boolean;
  /** Switch the line to this rate after connecting (CHANGE_BAUDRATE), where the link allows it. */
  baud?: number;
  clock: Clock;
  signal?: AbortSignal;
  onProgress(p: FlashProgress): void;
  onLog(line: string): void;
  /** Carry on after a failure: `error.details.resume` from the last attempt, with the same images. */
  resume?: FlashResume;
  flashSize?: number;
  /** The chip the board should be; default ESP32-S3. */
  chipId?: number;
  /** Connection attempts (esptool's 7). */
  connectAttempts?: number;
}

export interface FlashedImage {
  name: string;
  offset: number;
  size: number;
  /** Bytes sent compressed; null when sent uncompressed (it would not compress) or not sent (resumed past it). */
  compressed: number | null;
  md5: string | null;
}

export interface FlashResult {
  chip: string;
  baud: number;
  images: FlashedImage[];
  written: number;
  /** From the first reset to the last. */
  seconds: number;
  /** Erasing and writing only. */
  write_seconds: number;
  /** esptool's effective rate: uncompressed kilobits over write_seconds. */
  kbit_s: number;
  /** What the line carried while writing, framing included: for line utilisation (bytes × 10 / baud / seconds). */
  wire: { tx: number; rx: number };
}

export async function flashImages(port: SerialPortHandle, images: readonly RegionImage[], options: FlashOptions): Promise<FlashResult> {
  const { clock, onLog } = options;
  if (options.baud !== undefined && !isStandardBaudRate(options.baud)) {
    throw new ApiError('invalid_request', `baud must be a standard rate such as 460800 or 921600; got ${String(options.baud)}.`);
  }
  const sizes = images.map((i) => padded(i.data).length);
  const total = sizes.reduce((a, b) => a + b, 0);
  const meter = new ProgressMeter(total, clock, options.onProgress);
  const link = new LoaderLink(port.stream, port.label, clock, options.signal);
  const started = clock.now();
  const resume = options.resume ?? { image: 0, bytes: 0 };
  if (!Number.isInteger(resume.image) || resume.image < 0 || resume.image > images.length || !(resume.bytes >= 0 && resume.bytes <= (sizes[resume.image] ?? 0))) {
    throw new ApiError('invalid_request', `resume ${JSON.stringify(resume)} does not fit these images: resume with the same images the failed flash had.`);
  }
  const at: FlashResume = { ...resume };
  const wire = { tx: 0, rx: 0 };
  let baud = ROM_BAUD;
  let writing = false;
  const done: FlashedImage[] = images.map((i, n) => ({ name: i.name, offset: i.offset, size: sizes[n]!, compressed: null, md5: null }));
  try {
    meter.phase('connecting');
    await port.control.setBaud(ROM_BAUD).catch(() => undefined); // the port may be left at the app's rate
    await connectRom(link, port.control, port.label, { onLog, ...(options.connectAttempts ? { attempts: options.connectAttempts } : {}) });
    const chip = await detectChip(link);
    const wanted = options.chipId ?? ESP32S3_CHIP_ID;
    if (chip.chipId !== wanted) {
      throw new FlashError('wrong_chip', `The board on ${port.label} is ${chip.name}, not the ${chipName(wanted)} its board type says. Fix its type in the config entry (\`fbay boards add … --type\`), or flash it with its own tools.`);
    }
    onLog(`Chip is ${chip.name}.`);
    await link.command(OP.SPI_ATTACH, words(0, 0));
    const flashSize = options.flashSize ?? DEFAULT_FLASH_SIZE;
    await link.command(OP.SPI_SET_PARAMS, words(0, flashSize, 0x10000, SECTOR_SIZE, 256, 0xffff));
    if (options.baud && options.baud !== ROM_BAUD) baud = await changeBaud(link, port, options.baud, onLog);

    let written = sizes.slice(0, at.image).reduce((a, b) => a + b, 0);
    writing = true;
    if (options.eraseAll && at.image === 0 && at.bytes === 0) {
      meter.phase('erasing');
      onLog('Erasing the whole flash...');
      // The ROM has no chip erase (esptool's --erase-all needs its stub): a FLASH_BEGIN over the whole chip erases it.
      await link.command(OP.FLASH_BEGIN, words(flashSize, 0, ROM_FLASH_BLOCK, 0, 0), { timeoutMs: TIMEOUT.chipErase });
    }
    for (let n = at.image; n < images.length; n++) {
      const image = images[n]!;
      // Resume a sector early: the ROM may hold the last acknowledged bytes in a buffer before they reach flash.
      const from = n === at.image ? Math.max(0, Math.floor(at.bytes / SECTOR_SIZE) - 1) * SECTOR_SIZE : 0;
      const base = written;
      at.image = n;
      at.bytes = from;
      meter.phase('erasing');
      meter.written(base + from);
      const before = { ...link.wire };
      onLog(`Writing '${image.name}' (${sizes[n]} bytes) at ${hex(image.offset + from)}...`);
      const confirmed = (bytes: number) => {
        at.bytes = bytes;
        meter.written(base + bytes);
      };
      done[n]!.compressed = await writeRegion(link, image, from, confirmed, () => meter.phase('writing'));
      wire.tx += link.wire.tx - before.tx;
      wire.rx += link.wire.rx - before.rx;
      written = base + sizes[n]!;
      if (options.verify) {
        meter.phase('verifying');
        done[n]!.md5 = await verifyRegion(link, image);
        onLog(`Hash of '${image.name}' verified.`);
      }
      at.image = n + 1;
      at.bytes = 0;
    }
    meter.phase('resetting');
    writing = false;
    link.close(); // before the reset: the new firmware's boot log belongs to whoever reads the port next
    if (baud !== ROM_BAUD) await port.control.setBaud(ROM_BAUD);
    await port.control.reset('hard');
    onLog('Hard resetting via RTS pin...');
    const writeMs = meter.writingMs;
    return {
      chip: chip.name,
      baud,
      images: done,
      written,
      seconds: (clock.now() - started) / 1000,
      write_seconds: writeMs / 1000,
      kbit_s: writeMs > 0 ? Math.round((written * 8) / writeMs) : 0,
      wire,
    };
  } catch (err) {
    throw await failure(err, port, writing ? images : [], at, link);
  } finally {
    link.close();
  }
}

/** CHANGE_BAUDRATE (answered at the old rate), then the port follows; if the port cannot, start over at the ROM's rate. */
async function changeBaud(link: LoaderLink, port: SerialPortHandle, rate: number, onLog: (l: string) => void): Promise<number> {
  await link.command(OP.CHANGE_BAUDRATE, words(rate, 0));
  try {
    await port.control.setBaud(rate);
  } catch (err) {
    onLog(`The port cannot run at ${rate} baud (${(err as Error).message}); reconnecting at ${ROM_BAUD}.`);
    await connectRom(link, port.control, port.label, { onLog });
    return ROM_BAUD;
  }
  await link.sleep(50); // esptool: "get rid of crap sent during baud rate change"
  link.flushInput();
  onLog(`Changed baud rate to ${rate}.`);
  return rate;
}

async function failure(err: unknown, port: SerialPortHandle, images: readonly RegionImage[], at: FlashResume, link: LoaderLink): Promise<Error> {
  if (err instanceof FlashError && err.kind !== 'md5_mismatch') return err;
  const image = images[at.image];
  const offset = image ? image.offset + at.bytes : undefined;
  const where = image ? ` at ${hex(offset!)} while writing '${image.name}' (${at.bytes} of ${padded(image.data).length} bytes in flash)` : '';
  const details = { resume: { ...at }, ...(offset === undefined ? {} : { offset }), cause: err };
  // A region that fails verification is written again whole.
  if (err instanceof FlashError) return new FlashError(err.kind, err.message, { ...err.details, resume: { image: at.image, bytes: 0 } });
  // A command that timed out because the port had gone is a lost port, not a protocol failure.
  const cause = link.failure instanceof PortGone ? link.failure : err;
  if (cause instanceof PortGone) {
    return new FlashError('port_lost', `The board's port ${port.label} went away${where}; the board may not boot until it is flashed again. Flashing again once it is back carries on from there.`, details);
  }
  if (cause instanceof Aborted) {
    await port.control.reset('hard').catch(() => undefined); // leave it running what it has, not in download mode
    return new FlashError('aborted', `Flashing was stopped${where}; the board may not boot until it is flashed again.`, details);
  }
  if (err instanceof CommandFailed || err instanceof CommandTimeout) {
    return new FlashError('protocol', `Flashing failed${where}: ${err.message}. Try again, at a lower baud rate if it keeps failing.`, details);
  }
  return err instanceof Error ? err : new Error(String(err));
}
