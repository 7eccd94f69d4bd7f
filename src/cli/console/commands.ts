// What each console command does (the keys after Ctrl-T): one handler per action, looked up in a typed map.
import { basename, join } from 'node:path';
import { endSession } from '../services/sessions.js';
import type { CommandHost } from './command-host.js';
import { flashFile, switchPower } from './flash-commands.js';
import type { ConsoleCommand, KeyAction } from './keys.js';
import { lineEndingLabel, nextLineEnding } from './line-ending.js';
import { LogFile, logFileName, shownPath } from './log-file.js';
import type { SerialLink } from '../client/serial-link.js';
import type { Overlay } from './panel.js';
import { cutMiddle, type ConsoleModel } from './status-model.js';

type NonSend = Exclude<KeyAction, { type: 'send' }>;

const say = (host: CommandHost, text: string, short?: string) => {
  host.model.say(text, host.clock.now(), short);
  host.invalidate();
};

/** "logging to ./fbay-….log", and for a narrow line its file name, shortened in the middle. */
const logNotice = (host: CommandHost, verb: string, path: string) => say(host, `${verb} ${shownPath(path)}`, `${verb} ${cutMiddle(basename(path), 24)}`);

const setOverlay = (host: CommandHost, overlay: Overlay) => {
  host.overlay = overlay;
  host.paintNow();
};

const on = (flag: boolean) => (flag ? 'on' : 'off');

function control(host: CommandHost, message: Parameters<SerialLink['control']>[0], done: string): void {
  say(host, host.link.control(message) ? done : 'not connected: try again once the console has reconnected');
}

const COMMANDS: { [K in ConsoleCommand]: (host: CommandHost) => void } = {
  quit: (host) => host.quit(),
  end: (host) => setOverlay(host, { kind: 'confirm-end', id: host.model.session.id }),
  reset: (host) => control(host, { type: 'reset', mode: 'hard' }, 'reset sent'),
  bootloader: (host) => control(host, { type: 'reset', mode: 'bootloader' }, 'reset into the bootloader sent'),
  break: (host) => control(host, { type: 'break' }, 'break sent'),
  baud: (host) => setOverlay(host, { kind: 'baud', text: '' }),
  flash: (host) => setOverlay(host, { kind: 'flash', text: '' }),
  power: (host) => setOverlay(host, { kind: 'power' }),
  help: (host) => setOverlay(host, { kind: 'help' }),
  hex: (host) => {
    const settings = host.model.settings;
    settings.hex = !settings.hex;
    host.terminal.write(host.view.setHex(settings.hex, host.link.offset));
    say(host, `hex view ${on(settings.hex)}`);
  },
  timestamps: (host) => {
    const settings = host.model.settings;
    settings.timestamps = !settings.timestamps;
    host.view.setTimestamps(settings.timestamps);
    say(host, `timestamps ${on(settings.timestamps)}`);
  },
  echo: (host) => {
    const settings = host.model.settings;
    settings.echo = !settings.echo;
    say(host, `local echo ${on(settings.echo)}`);
  },
  eol: (host) => {
    const settings = host.model.settings;
    settings.eol = nextLineEnding(settings.eol);
    say(host, `Enter sends ${lineEndingLabel(settings.eol)}`);
  },
  log: (host) => {
    const settings = host.model.settings;
    if (host.log) {
      const path = host.log.path;
      host.closeLog();
      settings.logPath = null;
      return logNotice(host, 'stopped logging to', path);
    }
    const log = new LogFile(join(host.logDir ?? '.', logFileName(host.model.session.id, new Date())), (err) => {
      if (host.log !== log) return;
      host.log = null;
      settings.logPath = null;
      say(host, `logging stopped: ${err.message}`);
    });
    host.log = log;
    settings.logPath = log.path;
    logNotice(host, 'logging to', log.path);
  },
};

async function endNow(host: CommandHost): Promise<void> {
  say(host, 'ending the session…');
  try {
    // The daemon then sends `ended` on the serial line, which ends the console with the final credits.
    await endSession(host.client, host.model.session.id);
  } catch (err) {
    say(host, `could not end the session: ${(err as Error).message}`);
  }
}

const ACTIONS: { [K in NonSend['type']]: (host: CommandHost, action: Extract<NonSend, { type: K }>) => void } = {
  command: (host, a) => COMMANDS[a.command](host),
  'unknown-key': (host, a) => say(host, `Ctrl-T ${a.key} is not a console command; Ctrl-T ? lists them`),
  'close-help': (host) => setOverlay(host, { kind: 'none' }),
  'confirm-end': (host, a) => {
    setOverlay(host, { kind: 'none' });
    if (a.yes) void endNow(host);
    else say(host, 'the session goes on');
  },
  'baud-edit': (host, a) => setOverlay(host, { kind: 'baud', text: a.text }),
  'baud-cancel': (host) => setOverlay(host, { kind: 'none' }),
  'prompt-cancel': (host) => setOverlay(host, { kind: 'none' }),
  'path-edit': (host, a) => setOverlay(host, { kind: 'flash', text: a.text }),
  'path-set': (host, a) => {
    setOverlay(host, { kind: 'none' });
    void flashFile(host, a.path);
  },
  'power-set': (host, a) => {
    setOverlay(host, { kind: 'none' });
    void switchPower(host, a.action);
  },
  'baud-set': (host, a) => {
    host.overlay = { kind: 'none' };
    if (host.link.control({ type: 'baud', rate: a.rate })) {
      host.model.settings.baud = a.rate;
      say(host, `baud rate set to ${a.rate}`);
    } else say(host, 'not connected: the baud rate was not changed');
    host.paintNow();
  },
};

export function runCommand(host: CommandHost, action: NonSend): void {
  (ACTIONS[action.type] as (host: CommandHost, action: NonSend) => void)(host, action);
}

export type { CommandHost };
