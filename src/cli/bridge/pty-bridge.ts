// `--pty PATH`: a pseudo-terminal for picocom, minicom, screen and tio, made by socat (Node cannot open a pty pair
// itself: it has no openpty). socat keeps the pty and its PATH symlink; its stdio carries the bytes to this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, readlinkSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '../../shared/user-error.js';
import { EXIT } from '../../shared/exit-codes.js';
import type { BoardLink } from './board-link.js';

export const PTY_LIMITS =
  'DTR/RTS and baud rate changes cannot cross a pseudo-terminal: the board keeps its baud rate and its lines. ' +
  'Reset it with `fbay reset` (or Ctrl-T r in `fbay console`); for esptool and idf.py use --rfc2217.';

export interface PtyBridgeOptions {
  path: string;
  link: BoardLink;
  log: (line: string) => void;
  /** The socat to run (tests); default `socat` on PATH. */
  socat?: string;
}

export class PtyBridge {
  #dropped = 0;
  #stopping = false;
  /** Resolves when socat exits; with an error when it was not asked to. */
  readonly exited: Promise<UserError | null>;

  private constructor(
    private readonly child: ChildProcess,
    /** The symlink tools open. */
    readonly path: string,
    /** The pty it points at, e.g. /dev/pts/3. */
    readonly device: string,
    exited: Promise<string>,
    private readonly options: PtyBridgeOptions,
  ) {
    this.exited = exited.then((log) => (this.#stopping ? null : new UserError(`socat, which holds the pty at ${path}, exited: ${log.trim().split('\n').at(-1) ?? ''}`)));
    const onData = (chunk: Buffer) => this.#toPty(chunk);
    const onDrain = () => child.stdout!.resume();
    options.link.on('data', onData);
    options.link.on('drain', onDrain);
    void this.exited.then(() => {
      options.link.off('data', onData);
      options.link.off('drain', onDrain);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      options.link.write(chunk);
      if (options.link.congested) child.stdout!.pause();
    });
  }

  static async open(options: PtyBridgeOptions): Promise<PtyBridge> {
    const path = resolve(options.path);
    checkPath(path);
    const child = spawn(options.socat ?? 'socat', ['-d', '-d', `PTY,link=${path},rawer`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin!.on('error', () => undefined); // socat gone: its exit says why
    let log = '';
    const exited = new Promise<string>((done) => child.once('close', () => done(log)));
    const device = await new Promise<string>((ready, fail) => {
      child.once('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ENOENT' ? socatMissing() : err));
      child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        log = (log + text).slice(-4096);
        const pts = /PTY is (\S+)/.exec(log)?.[1];
        if (pts && log.includes('starting data transfer loop')) ready(pts);
      });
      void exited.then((text) => fail(new UserError(`socat could not make a pty at ${path}: ${text.trim().split('\n').at(-1) ?? 'it exited'}.`, { code: 'pty_failed' })));
    });
    return new PtyBridge(child, path, device, exited, options);
  }

  /** Ends socat, which removes the symlink. */
  async close(): Promise<void> {
    this.#stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin!.end(); // at the end of its input socat exits cleanly
      const timer = setTimeout(() => this.child.kill('SIGTERM'), 1000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  #toPty(chunk: Buffer): void {
    const stdin = this.child.stdin!;
    // Nobody has the pty open, or the reader is slow: the kernel's pty buffer fills and socat stops reading. Drop, as a
    // UART with nothing listening would, rather than hold the board's output without bound.
    if (stdin.writableLength > 1024 * 1024) {
      if (this.#dropped === 0) this.options.log(`nothing is reading ${this.path}: board output is dropped until something does.`);
      this.#dropped += chunk.length;
      return;
    }
    if (this.#dropped > 0) {
      this.options.log(`${this.#dropped} bytes of board output were dropped while nothing read ${this.path}.`);
      this.#dropped = 0;
    }
    stdin.write(chunk);
  }
}

/** PATH must be free, or a link left behind by an earlier bridge whose pty is gone; never a file of the user's. */
function checkPath(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return; // nothing there
  }
  const next = 'Choose another path, or remove it if it is left over.';
  if (!stat.isSymbolicLink()) throw new UserError(`--pty ${path}: a file is already there; fbay will not replace it.`, { exit: EXIT.conflict, code: 'pty_path_taken', next });
  const target = readlinkSync(path);
  if (existsSync(path)) throw new UserError(`--pty ${path} already links to ${target}, which exists: another bridge may be using it.`, { exit: EXIT.conflict, code: 'pty_path_taken', next });
}

function socatMissing(): UserError {
  return new UserError('--pty needs socat, which is not installed (Node cannot make a pseudo-terminal by itself).', {
    code: 'socat_missing',
    next: 'Install the `socat` package (apt install socat, dnf install socat, brew install socat), or use --rfc2217.',
  });
}
