// The virtual board's app: a line editor with echo (as a terminal with echo would show it) and a few commands.
import { PROMPT } from './esp32s3-rom.js';

/** What the shell needs from the chip it runs on. */
export interface ShellHost {
  out(data: Buffer | string): void;
  /** Queues `bytes` bytes of the numbered flood pattern. */
  flood(bytes: number): void;
  restart(): void;
  info(): { name: string; baudRate: number; uptimeMs: number };
}

const MAX_LINE = 1024;
export const MAX_FLOOD_BYTES = 1 << 30;
const CR = 0x0d, LF = 0x0a, BS = 0x08, DEL = 0x7f, ETX = 0x03, ESC = 0x1b;

type Command = (host: ShellHost, arg: string) => void;

const HELP = [
  'commands:',
  '  help          this list',
  '  echo TEXT     print TEXT',
  '  info          board type and baud rate',
  '  uptime        time since the last boot',
  '  reset         software reset (restarts the chip)',
  '  flood N       print N bytes of numbered 64-byte lines',
].join('\r\n');

const COMMANDS: Record<string, Command> = {
  help: (h) => h.out(`${HELP}\r\n${PROMPT}`),
  echo: (h, arg) => h.out(`${arg}\r\n${PROMPT}`),
  info: (h) => {
    const { name, baudRate } = h.info();
    h.out(`board: ${name}\r\ntype: virtual\r\nchip: ESP32-S3 (revision v0.2)\r\nbaud: ${baudRate}\r\n${PROMPT}`);
  },
  uptime: (h) => h.out(`uptime: ${(h.info().uptimeMs / 1000).toFixed(3)} s\r\n${PROMPT}`),
  reset: (h) => h.restart(),
  flood: (h, arg) => {
    const n = Number(arg);
    if (!/^\d+$/.test(arg) || n > MAX_FLOOD_BYTES) {
      h.out(`flood: N must be a whole number of bytes from 0 to ${MAX_FLOOD_BYTES}; got '${arg}'\r\n${PROMPT}`);
      return;
    }
    h.flood(n);
    // The pattern's lines end in CRLF; only a cut-off last line needs one before the prompt.
    h.out(n % 64 === 0 ? PROMPT : `\r\n${PROMPT}`);
  },
};

export class VirtualShell {
  #line: Buffer | null = null;
  #length = 0;
  #afterCr = false;
  /** 0: normal, 1: after ESC, 2: inside a CSI sequence (arrow keys and the like are swallowed, not echoed). */
  #escape = 0;

  constructor(private readonly host: ShellHost) {}

  /** Forgets a half-typed line, as a reboot does. */
  clear(): void {
    this.#length = 0;
    this.#afterCr = false;
    this.#escape = 0;
  }

  input(data: Uint8Array): void {
    let runStart = -1;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      const printable = this.#escape === 0 && (b >= 0x20 || b === 0x09) && b !== DEL;
      if (printable) {
        if (runStart < 0) runStart = i;
        this.#afterCr = false;
        continue;
      }
      if (runStart >= 0) {
        this.#typed(data.subarray(runStart, i));
        runStart = -1;
      }
      this.#control(b);
    }
    if (runStart >= 0) this.#typed(data.subarray(runStart));
  }

  #typed(run: Uint8Array): void {
    // Echo everything (a paste of any size comes back), but keep only the first MAX_LINE bytes as the command.
    this.host.out(Buffer.from(run));
    const line = (this.#line ??= Buffer.allocUnsafe(MAX_LINE));
    const room = Math.min(run.length, MAX_LINE - this.#length);
    if (room > 0) line.set(run.subarray(0, room), this.#length);
    this.#length += Math.max(room, 0);
  }

  #control(b: number): void {
    const wasAfterCr = this.#afterCr;
    this.#afterCr = false;
    if (this.#escape === 1) {
      this.#escape = b === 0x5b ? 2 : 0;
      return;
    }
    if (this.#escape === 2) {
      if (b >= 0x40 && b <= 0x7e) this.#escape = 0;
      return;
    }
    switch (b) {
      case CR:
        this.#afterCr = true;
        this.#enter();
        return;
      case LF:
        if (!wasAfterCr) this.#enter();
        return;
      case BS:
      case DEL:
        this.#backspace();
        return;
      case ETX:
        this.#length = 0;
        this.host.out(`^C\r\n${PROMPT}`);
        return;
      case ESC:
        this.#escape = 1;
        return;
      default:
      // other control characters are ignored, as a line editor would
    }
  }

  #backspace(): void {
    if (this.#length === 0 || !this.#line) return;
    // Remove a whole UTF-8 character, not a byte of it.
    do this.#length--;
    while (this.#length > 0 && (this.#line[this.#length]! & 0xc0) === 0x80);
    this.host.out('\b \b');
  }

  #enter(): void {
    const text = this.#line ? this.#line.toString('utf8', 0, this.#length).trim() : '';
    this.#length = 0;
    this.host.out('\r\n');
    if (text === '') {
      this.host.out(PROMPT);
      return;
    }
    const space = text.search(/\s/);
    const name = space < 0 ? text : text.slice(0, space);
    const arg = space < 0 ? '' : text.slice(space + 1).trim();
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command) command(this.host, arg);
    else this.host.out(`unknown command: ${name}\r\n${PROMPT}`);
  }
}
