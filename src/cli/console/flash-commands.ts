// The console's Ctrl-T f (flash a file) and Ctrl-T p (power): run on the host through the daemon while the console
// stays attached; the status line shows the flash's progress from the serial line's own `flash` messages.
import { basename, resolve } from 'node:path';
import type { PowerAction } from '../../transport/protocol/flash-api.js';
import { flashSession } from '../services/flash.js';
import { powerSession } from '../services/sessions.js';
import type { CommandHost } from './command-host.js';

/** The rate a console flash writes at once the ROM answers (as `fbay flash` does by default). */
const CONSOLE_FLASH_BAUD = 460800;

const say = (host: CommandHost, text: string) => {
  host.model.say(text, host.clock.now());
  host.invalidate();
};

export async function flashFile(host: CommandHost, path: string): Promise<void> {
  const name = basename(path);
  say(host, `flashing ${name}…`);
  try {
    const job = await flashSession(host.client, host.model.session.id, [{ offset: null, path: resolve(path) }], { verify: true, eraseAll: false, force: false, baud: CONSOLE_FLASH_BAUD, clock: host.clock });
    say(host, `flashed ${name} in ${job.seconds ?? 0} s, verified`);
  } catch (err) {
    say(host, `flash failed: ${(err as Error).message}`);
  }
}

export async function switchPower(host: CommandHost, action: PowerAction): Promise<void> {
  say(host, `power ${action}…`);
  try {
    const r = await powerSession(host.client, host.model.session.id, action);
    say(host, `power ${action}: ${r.verified}${r.why ? ` (${r.why})` : ''}`);
  } catch (err) {
    say(host, `power ${action} failed: ${(err as Error).message}`);
  }
}
