// Power for a virtual board: off is silence and lost input (the port stays), on is a POWERON boot.
import type { Clock } from '../../shared/clock.js';
import type { VirtualDevice } from '../boards/virtual-device.js';
import type { PowerAction, PowerResult } from './power-action.js';

/** Off long enough in a cycle for a console to show the silence. */
export const VIRTUAL_CYCLE_MS = 500;

export async function runVirtualPower(device: VirtualDevice, action: PowerAction, clock: Clock): Promise<PowerResult> {
  if (action === 'off' || action === 'cycle') device.powerOff();
  if (action === 'cycle') await new Promise<void>((resolve) => clock.setTimeout(resolve, VIRTUAL_CYCLE_MS));
  if (action === 'on' || action === 'cycle') device.powerOn();
  return { action, verified: 'verified', why: null, output: [] };
}
