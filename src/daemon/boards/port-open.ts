// Helpers for opening a board's port: telling "busy" from other failures, closing cleanly, its reset sequences.
import type { SerialPortStream } from '@serialport/stream';
import type { ResetStyle } from './board-types.js';
import { parseResetNotation, sequencesForStyle, type ResetSequences } from './reset-sequences.js';

/** The OS's ways of saying someone else has the port: flock's EAGAIN (bindings-cpp "Cannot lock port") or EBUSY. */
export function isBusyError(err: Error): boolean {
  return /Cannot lock port|Resource temporarily unavailable|EBUSY|EAGAIN|busy/i.test(`${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`);
}

/** Resolves once the port is closed; a port already closed (or unplugged) counts as closed. */
export function closeStream(stream: SerialPortStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.isOpen) {
      if (stream.closing) stream.once('close', () => resolve());
      else resolve();
      return;
    }
    stream.close(() => resolve());
  });
}

/** The style's built-in sequences, with any the board's config entry gives instead. */
export function resetSequencesOf(style: ResetStyle | null, custom: { hard?: string; bootloader?: string } | null): ResetSequences {
  const sequences: ResetSequences = { ...sequencesForStyle(style) };
  if (custom?.hard) sequences.hard = parseResetNotation(custom.hard);
  if (custom?.bootloader) sequences.bootloader = parseResetNotation(custom.bootloader);
  return sequences;
}
