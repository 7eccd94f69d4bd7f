// Whether a board's USB device is plugged in right now, from /sys/class/tty: how a power action is verified.
import { SysfsLister, type SysfsListerOptions } from '../boards/discovery/sysfs-lister.js';

/** true / false, or null when this board cannot be recognised on the bus (no serial number or USB location). */
export type Presence = () => boolean | null;

export function sysfsPresence(board: { serial_number: string | null; location: string | null }, options: SysfsListerOptions = {}): Presence {
  const lister = new SysfsLister(options);
  return () => {
    if (!lister.available() || (board.serial_number === null && board.location === null)) return null;
    return lister.scan().some((p) => (board.serial_number !== null ? p.serial_number === board.serial_number : p.location === board.location));
  };
}
