// The agent inside each sandbox, run by Bun: starts processes on the daemon's word and relays web-app connections.
//
// It speaks JSON lines on stdin/stdout with the daemon, which trusts none of it (sandbox code runs as the same
// user and may kill or impersonate it). Each process starts held in `sh -c read`, so the daemon can move it into
// its own cgroup before it runs anything; `release` lets it go. Only Bun's own APIs: its CPU time is the
// sandbox's, under the sandbox's CPU limit, and Node's compatibility modules cost ~40 ms of it at every start.
import type { BunApi, Subprocess } from './bun-api.js';
import { startRelay } from './relay.js';

declare const Bun: BunApi;

interface Spawn {
  t: 'spawn';
  id: number;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Sent after the release line: Bun reads the code from stdin (`bun run -`), so imports resolve from cwd. */
  stdin?: string;
}
type Command =
  | Spawn
  | { t: 'release'; id: number; open?: boolean }
  | { t: 'feed'; id: number; text: string }
  | { t: 'signal'; id: number; sig: string };

/** One process's end: once it is over, its pipes are let go even if a child it left behind holds them. */
interface Over {
  done: boolean;
  readers: ReadableStreamDefaultReader<Uint8Array>[];
}

interface Child {
  proc: Subprocess;
  stdin: string | undefined;
}

const CHUNK = 32 * 1024;
/** How long output may still arrive after a process exited (a child it left behind may hold the pipe open). */
const DRAIN_MS = 50;
const HOLD = 'read -r _ || exit 125; exec "$@"';
const runDir = Bun.env.FBAY_RUN_DIR ?? '/run/fbay';
const children = new Map<number, Child>();
const out = Bun.stdout.writer({ highWaterMark: 256 * 1024 });
/** Set while the daemon is behind reading us: the children's output waits for it (their pipes fill, they wait). */
let behind: Promise<unknown> | null = null;

function send(message: Record<string, unknown>): void {
  const wrote = out.write(`${JSON.stringify(message)}\n`);
  const flushed = out.flush();
  const wait = wrote instanceof Promise ? wrote : flushed instanceof Promise ? flushed : null;
  if (wait && !behind) behind = wait.then(clearBehind, clearBehind);
}

function clearBehind(): void {
  behind = null;
}

/** Relays one of a child's output pipes until it closes or the exec is over; resolves when it stops. */
async function pump(id: number, fd: 1 | 2, stream: ReadableStream<Uint8Array>, over: Over): Promise<void> {
  const reader = stream.getReader();
  over.readers.push(reader);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || over.done) break;
      for (let at = 0; at < value.length; at += CHUNK) {
        const piece = Buffer.from(value.buffer, value.byteOffset + at, Math.min(CHUNK, value.length - at));
        send({ t: 'out', id, fd, b64: piece.toString('base64') });
      }
      if (behind) await behind;
    }
  } catch {
    // The pipe went away with the process.
  }
}

function start(cmd: Spawn): void {
  const over: Over = { done: false, readers: [] };
  let exit: [number | null, string | null] | null = null;
  let open = 2;
  // Done when the process exited and its pipes closed, in either order; if a child it left behind holds the
  // pipes, the output that came within DRAIN_MS is what the exec gets.
  const finish = (): void => {
    if (over.done || !exit) return;
    over.done = true;
    for (const reader of over.readers) void reader.cancel().catch(() => undefined);
    children.delete(cmd.id);
    send({ t: 'exit', id: cmd.id, code: exit[0], signal: exit[1] });
  };
  let proc: Subprocess;
  try {
    proc = Bun.spawn(['/bin/sh', '-c', HOLD, 'fbay-exec', ...cmd.argv], {
      cwd: cmd.cwd,
      env: cmd.env,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      detached: true,
      onExit(_p, code, signal) {
        exit = [signal ? null : code, signal ?? null];
        if (open === 0) finish();
        else setTimeout(finish, DRAIN_MS);
      },
    });
  } catch (err) {
    return send({ t: 'failed', id: cmd.id, error: String((err as Error).message) });
  }
  children.set(cmd.id, { proc, stdin: cmd.stdin });
  for (const [fd, stream] of [[1, proc.stdout], [2, proc.stderr]] as const) {
    void pump(cmd.id, fd, stream, over).then(() => {
      open--;
      if (open === 0) finish();
    });
  }
  send({ t: 'spawned', id: cmd.id, pid: proc.pid });
}

/** Writes to a held child's stdin; a child that is gone already has nothing to be told. */
function tell(id: number, text: string, end: boolean): void {
  const stdin = children.get(id)?.proc.stdin;
  if (!stdin) return;
  try {
    stdin.write(text);
    if (end) void Promise.resolve(stdin.end()).catch(() => undefined);
    else void Promise.resolve(stdin.flush()).catch(() => undefined);
  } catch {
    // Its stdin closed: it exited, and its exit is on the way.
  }
}

function handle(line: string): void {
  let cmd: Command;
  try {
    cmd = JSON.parse(line) as Command;
  } catch {
    return;
  }
  if (cmd.t === 'spawn') start(cmd);
  // `open`: a warm Bun, started now and given its code later (`feed`), so an exec skips Bun's start-up.
  else if (cmd.t === 'release') tell(cmd.id, cmd.open ? '\n' : `\n${children.get(cmd.id)?.stdin ?? ''}`, !cmd.open);
  else if (cmd.t === 'feed') tell(cmd.id, cmd.text, true);
  else if (cmd.t === 'signal') {
    const pid = children.get(cmd.id)?.proc.pid;
    if (pid) {
      try {
        process.kill(-pid, cmd.sig as NodeJS.Signals);
      } catch {
        // Gone already.
      }
    }
  }
}

async function commands(): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  const reader = Bun.stdin.stream().getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      handle(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  }
  // The daemon closed our stdin: it is gone or wants us gone.
  process.exit(0);
}

startRelay(`${runDir}/relay.sock`, () => {
  void commands();
  send({ t: 'ready', bun: Bun.version, pid: process.pid });
});
