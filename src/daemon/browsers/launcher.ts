// Starts headless Chromium for one session: a fresh profile, CDP over a pipe (no port), its own process group.
//
// The pipe is the lifeline: Chromium exits by itself when its end closes, so browsers die with the daemon even when
// the daemon is killed with SIGKILL. A restarted daemon reaps whatever is left (reaper.ts).
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CdpPipe } from './cdp-pipe.js';

const STDERR_TAIL_BYTES = 4096;

/** `extra`: the session's own flags (a proxy), placed before the first page so they apply to it. */
export function chromiumArgs(profileDir: string, asRoot: boolean, extra: readonly string[] = []): string[] {
  return [
    '--headless',
    // Chromium's sandbox refuses to run as root; anywhere else it stays on.
    ...(asRoot ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--disable-quic',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--disable-default-apps',
    '--mute-audio',
    // Headless Chromium's default window is small and odd (780×437 here); pages and screenshots get a usual size.
    '--window-size=1280,720',
    '--remote-debugging-pipe',
    `--user-data-dir=${profileDir}`,
    ...extra,
    'about:blank',
  ];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BrowserProcess {
  pid: number;
  pipe: CdpPipe;
  exited: Promise<Exit>;
  /** The last few KiB Chromium wrote to stderr, for failure reasons. */
  stderrTail(): string;
  /** Kills the whole process group (browser, renderers, zygote). */
  kill(signal?: NodeJS.Signals): void;
}

export function spawnChromium(executable: string, profileDir: string, extra: readonly string[] = []): BrowserProcess {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const child = spawn(executable, chromiumArgs(profileDir, asRoot, extra), {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  // Drained always: a full stderr pipe would stall Chromium.
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    tail += text;
    // Whole lines only: a line cut in half at the start would read as the reason.
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.slice(tail.indexOf('\n', tail.length - STDERR_TAIL_BYTES) + 1);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      tail += `\n${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  const pipe = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const pid = child.pid ?? -1;
  return {
    pid,
    pipe,
    exited,
    stderrTail: () => tail,
    kill(signal = 'SIGKILL') {
      if (pid < 0) return;
      try {
        // The group outlives its leader while renderers linger, so this runs even after the browser itself exited.
        process.kill(-pid, signal);
      } catch {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      }
    },
  };
}

/** A sentence for a browser that exited: its code or signal and what it last said. */
export function exitReason(exit: Exit, stderr: string): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : exit.code === null ? 'could not be started' : `exited with code ${exit.code}`;
  const said = lastMeaningfulLine(stderr);
  return `Chromium ${how}${said ? `: ${said}` : ''}`;
}

function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    // Chromium's log prefix: [pid:tid:MMDD/time:LEVEL:file.cc:line]
    .map((l) => l.trim().replace(/^\[[\d:/.]+:?[A-Z]+:[^\]]*\]\s*/, ''))
    // dbus, fontconfig and crash-reporter noise is printed in containers on every start or crash; it explains nothing.
    .filter((l) => l && !/dbus|connect to the bus|Fontconfig|crashpad|cpufreq|unexpected operator/i.test(l));
  return (lines.at(-1) ?? '').slice(0, 300);
}
