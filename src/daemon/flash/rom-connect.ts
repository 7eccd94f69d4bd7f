// Reaching an ESP ROM loader: the board's bootloader reset, esptool's sync attempts and bounds, then what chip it is.
import type { SerialControl } from '../../transport/serial/port.js';
import { CHIP_DETECT_MAGIC_REG, ESP32S3_CHIP_ID, ESP32S3_MAGIC, chipName } from './chips.js';
import { CommandFailed, CommandTimeout, FlashError } from './flash-errors.js';
import type { LoaderLink } from './loader-link.js';
import { OP, ROM_SYNC_VALUE, SYNC_PAYLOAD, TIMEOUT, request, words } from './rom-protocol.js';

/** esptool: 7 connection attempts, each a reset then up to 5 syncs 50 ms apart. */
export const CONNECT_ATTEMPTS = 7;
export const SYNCS_PER_ATTEMPT = 5;
const SYNC_PAUSE_MS = 50;

export interface ConnectOptions {
  attempts?: number;
  onLog(line: string): void;
}

/** One sync: the ROM answers eight times; the extra answers are drained so they cannot pass for later ones. */
async function sync(link: LoaderLink): Promise<number> {
  link.flushInput();
  await link.send(request(OP.SYNC, SYNC_PAYLOAD));
  const first = await link.response(OP.SYNC, TIMEOUT.sync);
  for (let i = 0; i < 7; i++) {
    try {
      await link.response(OP.SYNC, TIMEOUT.sync);
    } catch (err) {
      if (!(err instanceof CommandTimeout)) throw err;
      break;
    }
  }
  link.flushInput();
  return first.value;
}

export async function connectRom(link: LoaderLink, control: SerialControl, label: string, options: ConnectOptions): Promise<void> {
  const attempts = options.attempts ?? CONNECT_ATTEMPTS;
  let resetProblem: string | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    link.flushInput();
    link.clearBootOutput();
    try {
      await control.reset('bootloader');
    } catch (err) {
      // A pty or a bridge without modem lines: the board may already be in download mode, so try to sync anyway.
      resetProblem = (err as Error).message;
    }
    for (let i = 0; i < SYNCS_PER_ATTEMPT; i++) {
      try {
        const value = await sync(link);
        options.onLog(value === ROM_SYNC_VALUE ? 'Connected to the ROM loader.' : 'Connected (the flasher stub answered: the board was not reset).');
        return;
      } catch (err) {
        if (!(err instanceof CommandTimeout)) throw err;
        await link.sleep(SYNC_PAUSE_MS);
      }
    }
    options.onLog(`No sync on attempt ${attempt} of ${attempts}.`);
  }
  throw noSync(link.bootOutput(), label, attempts, resetProblem);
}

function noSync(output: string, label: string, attempts: number, resetProblem: string | null): FlashError {
  const shown = output.replace(/[^\x20-\x7e\r\n]/g, '.').trim().split(/\r?\n/).slice(-12).join('\n');
  const mode = /boot:(0x[0-9a-fA-F]+)([\s\S]*?waiting for download)?/.exec(output);
  let why: string;
  if (mode?.[2]) why = 'It is in download mode ("waiting for download") but does not answer: its TX line (board RX) seems down, or the baud rate is wrong.';
  else if (mode) why = `It booted normally (boot:${mode[1]}), not into download mode: its reset sequence does not pull IO0 low. Hold BOOT while pressing RESET, or give the board a bootloader sequence (\`fbay boards add … --reset-bootloader\`).`;
  else why = 'It printed nothing fbay recognised: is it an ESP32 board, powered, not held in reset, and is this its UART?';
  const reset = resetProblem ? ` (The reset sequence could not run: ${resetProblem}.)` : '';
  const last = shown ? `\nLast output from the board:\n${shown}` : '\nThe board printed nothing.';
  return new FlashError('no_sync', `The board on ${label} did not answer esptool's sync in ${attempts} attempts. ${why}${reset}${last}`, { bootOutput: output });
}

/** GET_SECURITY_INFO's chip id where the ROM has it (ESP32-S3 and later); the chip-detect magic register otherwise. */
export async function detectChip(link: LoaderLink): Promise<{ chipId: number | null; name: string }> {
  try {
    const info = await link.command(OP.GET_SECURITY_INFO, Buffer.alloc(0), { dataLen: 20 });
    const chipId = info.data.readUInt32LE(12);
    return { chipId, name: chipName(chipId) };
  } catch (err) {
    if (!(err instanceof CommandFailed)) throw err;
  }
  const magic = (await link.command(OP.READ_REG, words(CHIP_DETECT_MAGIC_REG))).value >>> 0;
  if (magic === ESP32S3_MAGIC) return { chipId: ESP32S3_CHIP_ID, name: chipName(ESP32S3_CHIP_ID) };
  return { chipId: null, name: `a chip with detect magic 0x${magic.toString(16)}` };
}
