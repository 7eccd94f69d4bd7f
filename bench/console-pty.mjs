// Shared by the console benchmarks: `fbay console` (or any command) on a real pty through util-linux `script`, its
// output as it comes, its input, and the CPU time of the process on the pty (from /proc).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { FBAY_BIN } from './lib.mjs';

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Runs `node ARGS` on a pty of `cols`×`rows`; `t0` is taken just before the spawn. */
export function onPty(args, env, { cols = 120, rows = 30 } = {}) {
  const command = `stty rows ${rows} cols ${cols}; exec ${quote(process.execPath)} ${args.map(quote).join(' ')}`;
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const chunks = [];
  let length = 0;
  const waiters = new Set();
  child.stdout.on('data', (chunk) => {
    const at = performance.now();
    chunks.push(chunk);
    length += chunk.length;
    for (const w of waiters) w(at);
  });
  const exited = once(child, 'exit');
  return {
    t0,
    child,
    exited,
    get length() {
      return length;
    },
    output: () => Buffer.concat(chunks),
    write: (bytes) => child.stdin.write(bytes),
    /** Resolves with the time of the chunk after which `test(output)` holds; rejects after `ms`. */
    waitFor(test, ms = 10_000) {
      if (test(Buffer.concat(chunks))) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${ms} ms waiting on the pty`));
        }, ms);
        const check = (at) => {
          if (!test(Buffer.concat(chunks))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(at);
        };
        waiters.add(check);
      });
    },
    /** The pid of the process on the pty (script's child, which exec'd node). */
    pid() {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/);
      return Number(children[0]);
    },
  };
}

/** `fbay console ARGS` on a pty. */
export function consoleOnPty(home, args, size) {
  return onPty([FBAY_BIN, 'console', ...args], { ...process.env, FBAY_HOME: home }, size);
}

/** User + system CPU time of a process so far, in ms. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Board output with the console's panel paints taken out (each is one write, from ESC 7 to ESC 8). */
export function withoutPaints(text) {
  return text.replace(/\x1b7[\s\S]*?\x1b8/g, '');
}
