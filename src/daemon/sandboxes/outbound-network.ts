// Outbound network for a sandbox whose config allows it: slirp4netns gives its network namespace a user-mode
// stack (tap0, NAT through the daemon's host, DNS at 10.0.2.3) and refuses the host's own loopback, so the
// daemon's ports, a browser's CDP port and anything else bound to 127.0.0.1 stay out of reach.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../../shared/clock.js';

export const SLIRP_DNS = '10.0.2.3';
const READY_TIMEOUT_MS = 10_000;

export interface Slirp {
  stop(): void;
}

/** Starts slirp4netns on the namespace of `pid` and waits until tap0 is up. */
export function startSlirp(path: string, pid: number, clock: Clock): Promise<Slirp> {
  const child: ChildProcess = spawn(path, ['--configure', '--mtu=65520', '--disable-host-loopback', '--ready-fd=3', '--exit-fd=4', String(pid), 'tap0'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-2000)));
  // slirp4netns exits when this pipe closes: on stop(), and by itself if the daemon dies.
  const lifeline = child.stdio[4] as Writable;
  lifeline.on('error', () => undefined);
  const stop = (): void => {
    lifeline.destroy();
    child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => fail('it did not come up in time'), READY_TIMEOUT_MS);
    function fail(why: string): void {
      clock.clearTimeout(timer);
      stop();
      reject(new Error(`slirp4netns could not give the sandbox its network: ${why}${stderr.trim() ? ` (${stderr.trim().split('\n').at(-1)})` : ''}`));
    }
    (child.stdio[3] as Readable).once('data', () => {
      clock.clearTimeout(timer);
      resolve({ stop });
    });
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code) => fail(`it exited with code ${code}`));
  });
}
