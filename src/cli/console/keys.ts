// What the user types, split into bytes for the board and console commands: Ctrl-T is the escape key (like tio and
// idf.py monitor), Ctrl-] quits at once (like telnet); everything else goes to the board byte for byte, Ctrl-C included.

export const CTRL_T = 0x14;
export const CTRL_RBRACKET = 0x1d;
const ESC = 0x1b;
const CTRL_C = 0x03;
const BACKSPACE = 0x08;
const DEL = 0x7f;
const CR = 0x0d;
const LF = 0x0a;

export type ConsoleCommand = 'quit' | 'end' | 'reset' | 'bootloader' | 'baud' | 'hex' | 'timestamps' | 'log' | 'echo' | 'eol' | 'break' | 'flash' | 'power' | 'help';

/** The key after Ctrl-T → the command, what it does, and a word for it where the help has little room. */
export const COMMAND_KEYS: ReadonlyArray<readonly [key: string, command: ConsoleCommand, what: string, short: string]> = [
  ['q', 'quit', 'quit; the session stays reserved and goes idle', 'quit'],
  ['e', 'end', 'end the session (asks first)', 'end'],
  ['r', 'reset', 'reset the board', 'reset'],
  ['b', 'bootloader', 'reset into the bootloader', 'bootloader'],
  ['B', 'baud', 'change the baud rate', 'baud'],
  ['k', 'break', 'send a break', 'break'],
  ['f', 'flash', 'flash a file onto the board', 'flash'],
  ['p', 'power', 'power: cycle, off or on', 'power'],
  ['h', 'hex', 'hex view on/off', 'hex'],
  ['t', 'timestamps', 'timestamps on/off', 'timestamps'],
  ['l', 'log', 'log to a file on/off', 'log'],
  ['E', 'echo', 'local echo on/off', 'echo'],
  ['n', 'eol', 'Enter sends CR, LF or CRLF', 'Enter'],
  ['?', 'help', 'this help', 'help'],
];

const BY_KEY = new Map<number, ConsoleCommand>(COMMAND_KEYS.map(([key, command]) => [key.charCodeAt(0), command]));

export type KeyAction =
  | { type: 'send'; bytes: Buffer }
  | { type: 'command'; command: ConsoleCommand }
  | { type: 'unknown-key'; key: string }
  | { type: 'close-help' }
  | { type: 'confirm-end'; yes: boolean }
  | { type: 'baud-edit'; text: string }
  | { type: 'baud-set'; rate: number }
  | { type: 'baud-cancel' }
  | { type: 'path-edit'; text: string }
  | { type: 'path-set'; path: string }
  | { type: 'power-set'; action: 'cycle' | 'off' | 'on' }
  | { type: 'prompt-cancel' };

/** normal: bytes go to the board; escape: after Ctrl-T; the others: an overlay or prompt has the keyboard. */
export type KeyMode = 'normal' | 'escape' | 'help' | 'confirm-end' | 'baud' | 'path' | 'power';

const MAX_BAUD_DIGITS = 8;
const MAX_PATH = 1024;
const POWER_KEYS = new Map<number, 'cycle' | 'off' | 'on'>([
  [0x63, 'cycle'], // c
  [0x30, 'off'], // 0
  [0x31, 'on'], // 1
]);

export class KeyRouter {
  #mode: KeyMode = 'normal';
  #baud = '';
  /** The file prompt's bytes so far (a name may be typed in any script). */
  #path = Buffer.alloc(0);

  get mode(): KeyMode {
    return this.#mode;
  }

  /** What the user typed so far at the baud (or file) prompt. */
  get baudText(): string {
    return this.#baud;
  }

  /** Back to normal typing, e.g. when the console closes a prompt itself. */
  reset(): void {
    this.#mode = 'normal';
    this.#baud = '';
    this.#path = Buffer.alloc(0);
  }

  /** One chunk of terminal input → actions, in order. A chunk without special keys is one `send` of the same bytes. */
  feed(chunk: Buffer): KeyAction[] {
    const actions: KeyAction[] = [];
    let runStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.#mode === 'normal') {
        if (b !== CTRL_T && b !== CTRL_RBRACKET) continue;
        if (i > runStart) actions.push({ type: 'send', bytes: chunk.subarray(runStart, i) });
        runStart = i + 1;
        if (b === CTRL_RBRACKET) {
          actions.push({ type: 'command', command: 'quit' });
          return actions; // what follows the quit key is not the board's
        }
        this.#mode = 'escape';
        continue;
      }
      runStart = i + 1;
      if (b === CTRL_RBRACKET && this.#mode !== 'escape') {
        this.reset();
        actions.push({ type: 'command', command: 'quit' });
        return actions;
      }
      const action = this.#special(b);
      if (action) actions.push(action);
      // An ESC that closed a prompt starts an escape sequence (an arrow key): its tail is not for the board either.
      if (b === ESC && (this.#mode as KeyMode) === 'normal') return actions;
    }
    if (this.#mode === 'normal' && runStart < chunk.length) {
      actions.push({ type: 'send', bytes: runStart === 0 ? chunk : chunk.subarray(runStart) });
    }
    return actions;
  }

  #special(b: number): KeyAction | null {
    switch (this.#mode) {
      case 'escape':
        return this.#command(b);
      case 'help':
        this.#mode = 'normal';
        return { type: 'close-help' };
      case 'confirm-end':
        this.#mode = 'normal';
        return { type: 'confirm-end', yes: b === 0x79 || b === 0x59 }; // y or Y
      case 'baud':
        return this.#baudKey(b);
      case 'path':
        return this.#pathKey(b);
      case 'power': {
        this.reset();
        const action = POWER_KEYS.get(b);
        return action ? { type: 'power-set', action } : { type: 'prompt-cancel' };
      }
      default:
        return null;
    }
  }

  #command(b: number): KeyAction {
    this.#mode = 'normal';
    // Ctrl-T twice sends one Ctrl-T; Ctrl-T Ctrl-] sends a Ctrl-] (the quit key itself).
    if (b === CTRL_T || b === CTRL_RBRACKET) return { type: 'send', bytes: Buffer.of(b) };
    const command = BY_KEY.get(b);
    if (!command) return { type: 'unknown-key', key: describeKey(b) };
    if (command === 'help') this.#mode = 'help';
    else if (command === 'end') this.#mode = 'confirm-end';
    else if (command === 'baud' || command === 'flash') {
      this.#mode = command === 'baud' ? 'baud' : 'path';
      this.#baud = '';
      this.#path = Buffer.alloc(0);
    } else if (command === 'power') this.#mode = 'power';
    return { type: 'command', command };
  }

  #baudKey(b: number): KeyAction | null {
    if (b >= 0x30 && b <= 0x39) {
      if (this.#baud.length >= MAX_BAUD_DIGITS) return null;
      this.#baud += String.fromCharCode(b);
      return { type: 'baud-edit', text: this.#baud };
    }
    if (b === BACKSPACE || b === DEL) {
      this.#baud = this.#baud.slice(0, -1);
      return { type: 'baud-edit', text: this.#baud };
    }
    if (b === CR || b === LF) {
      const rate = Number(this.#baud);
      this.reset();
      return rate > 0 ? { type: 'baud-set', rate } : { type: 'baud-cancel' };
    }
    if (b === ESC || b === CTRL_C) {
      this.reset();
      return { type: 'baud-cancel' };
    }
    return null;
  }

  /** The file prompt: text (UTF-8 as typed), Backspace, Enter to flash, Esc or Ctrl-C to cancel. */
  #pathKey(b: number): KeyAction | null {
    if (b === CR || b === LF) {
      const path = this.#baud.trim();
      this.reset();
      return path ? { type: 'path-set', path } : { type: 'prompt-cancel' };
    }
    if (b === ESC || b === CTRL_C) {
      this.reset();
      return { type: 'prompt-cancel' };
    }
    if (b === BACKSPACE || b === DEL) this.#path = Buffer.from([...Buffer.from(this.#path).toString('utf8')].slice(0, -1).join(''));
    else if (b >= 0x20 && this.#path.length < MAX_PATH) this.#path = Buffer.concat([this.#path, Buffer.of(b)]);
    else return null;
    this.#baud = this.#path.toString('utf8');
    return { type: 'path-edit', text: this.#baud };
  }
}

/** A key as the help text would name it: `x`, `Ctrl-A`, `0x1b`. */
export function describeKey(b: number): string {
  if (b >= 0x21 && b <= 0x7e) return String.fromCharCode(b);
  if (b >= 0x01 && b <= 0x1a) return `Ctrl-${String.fromCharCode(b + 0x40)}`;
  return `0x${b.toString(16).padStart(2, '0')}`;
}
