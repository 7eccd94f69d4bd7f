// One board this host offers, as the registry lists it, and its open port as the relay holds it.
import type { SerialPortHandle } from '../../transport/serial/port.js';
import type { ResetStyle } from './board-types.js';

export interface BoardRecord {
  id: string;
  type: string;
  name: string;
  path: string;
  vid: string | null;
  pid: string | null;
  serial_number: string | null;
  manufacturer: string | null;
  product: string | null;
  /** USB topology (e.g. 1-1.4); null for virtual boards and ports without USB details. */
  location: string | null;
  rate_credits_per_min: number;
  baud_rate: number;
  /** How a reset drives the serial lines; null: no built-in sequence for this board. */
  reset_style: ResetStyle | null;
  /** Sequences from the board's config entry, in esptool's notation; they take precedence over the style's. */
  reset_custom: { hard?: string; bootloader?: string } | null;
  /** False while a board that was seen (or is configured) is not plugged in: listed, state offline, not reservable. */
  online: boolean;
  /** The joined host the board is on (a coordinator's listing); absent: this machine. */
  host?: string;
  /** A joined host's board that a session on that host itself has: listed reserved, not reservable here. */
  held_on_host?: boolean;
  /** A joined host's board: how its host flashes it (null: it cannot; absent: the host did not say). */
  flash?: 'rom' | 'command' | null;
  /** A joined host's board: how its host switches its power, and how it last left it. */
  power?: { control: 'argv' | 'uhubctl' | 'virtual' | null; state: 'on' | 'off' };
}

/** A board's open port: the relay's handle plus the board it belongs to. */
export interface OpenedPort extends SerialPortHandle {
  board: BoardRecord;
}
