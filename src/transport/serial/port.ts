// What the serial relay needs of an open line: a byte stream, its control side, and a way to close it.
import type { Duplex } from 'node:stream';

/** The control side of an open line: resets, modem lines, baud and break, run next to the board. */
export interface SerialControl {
  reset(mode: 'hard' | 'bootloader'): Promise<void>;
  setSignals(s: { dtr?: boolean; rts?: boolean }): Promise<void>;
  /** Rejects with a clear message on an invalid rate. */
  setBaud(rate: number): Promise<void>;
  sendBreak(): Promise<void>;
}

/** A byte stream that knows whether it is open (a port, or an upstream hop). */
export type SerialLine = Duplex & { readonly isOpen: boolean };

/** An opened line as the relay holds it; `label` names it in error messages (a device path, or host:session). */
export interface SerialPortHandle {
  label: string;
  /** Opened, with no DTR/RTS pulse. */
  stream: SerialLine;
  control: SerialControl;
  close(): Promise<void>;
}
