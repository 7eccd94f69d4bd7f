// Runs the BUILT `bin/fbay` in a fresh FBAY_HOME, and cleans up the daemon it started (by `fbay daemon stop`).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const FBAY = fileURLToPath(new URL('../../bin/fbay', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

/** e2e runs the build; an old or missing one would test the wrong thing silently. */
export function assertBuilt(): void {
  for (const entry of ['cli/main.js', 'daemon/main.js']) {
    if (!existsSync(`${DIST}${entry}`)) throw new Error(`dist/${entry} is missing: run \`npm run build\` first.`);
  }
}

export interface Result {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Each line of a `--json` command that prints one JSON object a line (`fbay --json flash`). */
export const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

/**
 * Resolves with the first JSON line on `stream` that `match` accepts (a running `fbay --json flash`'s progress). It
 * only listens: the stream keeps flowing to whoever else reads it (execa's result).
 */
export function jsonLineUntil(stream: Readable, match: (line: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, i)) as Record<string, any>;
        buf = buf.slice(i + 1);
        if (match(line)) return done(() => resolve(line));
      }
    };
    const onEnd = () => done(() => reject(new Error(`the output ended before the line the test waits for; last: ${buf.slice(-300)}`)));
    const done = (settle: () => void) => {
      stream.off('data', onData).off('end', onEnd);
      settle();
    };
    stream.on('data', onData).on('end', onEnd);
  });
}

export class Home {
  readonly dir = mkdtempSync('/tmp/fbay-e-');

  /** Writes `data` as NAME in the home and returns its path (an image for `fbay flash`). */
  file(name: string, data: Buffer | string): string {
    const path = join(this.dir, name);
    writeFileSync(path, data);
    return path;
  }

  /** The daemon's config.json, written before the first command starts the daemon. */
  config(config: Record<string, unknown>): void {
    this.file('config.json', JSON.stringify(config));
  }

  /** Runs fbay to completion; never throws on a non-zero exit. */
  async fbay(...args: string[]): Promise<Result> {
    const r = await this.start(...args);
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** Starts fbay and returns the running process. */
  start(...args: string[]): ResultPromise<{ reject: false; timeout: number; env: Record<string, string> }> {
    return execa(process.execPath, [FBAY, ...args], { reject: false, timeout: 20_000, env: { FBAY_HOME: this.dir } });
  }

  async json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
    const r = await this.fbay('--json', ...args);
    if (r.exitCode !== 0) throw new Error(`fbay ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Daemon processes whose environment has this FBAY_HOME (Linux /proc). */
  daemonPids(): number[] {
    const pids: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        const environ = readFileSync(`/proc/${name}/environ`, 'utf8');
        if (cmdline.includes('daemon/main.js') && environ.split('\0').includes(`FBAY_HOME=${this.dir}`)) pids.push(Number(name));
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return pids;
  }

  async cleanup(): Promise<void> {
    await this.fbay('daemon', 'stop');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
