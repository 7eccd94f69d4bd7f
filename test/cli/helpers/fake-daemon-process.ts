// Runs the fake daemon process fixture for auto-start tests, and stops every one a test spawned, by pid.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isAlive } from '../../../src/cli/client/start-lock.js';
import { resolvePaths, type FbayPaths } from '../../../src/shared/paths.js';

export const FAKE_DAEMON_ENTRY = fileURLToPath(new URL('../fixtures/fake-daemon-process.mjs', import.meta.url));

export interface FakeHome {
  home: string;
  env: NodeJS.ProcessEnv;
  paths: FbayPaths;
  /** Pids of the fake daemons spawned in this home, in start order. */
  spawned(): number[];
  cleanup(): Promise<void>;
}

export function fakeHome(mode: 'ok' | 'fail' | 'hang' = 'ok'): FakeHome {
  const home = mkdtempSync('/tmp/fbay-h-');
  const env = { ...process.env, FBAY_HOME: home, FAKE_DAEMON_MODE: mode };
  const spawned = () => {
    const file = join(home, 'spawned.pids');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(Number) : [];
  };
  return {
    home,
    env,
    paths: resolvePaths(env),
    spawned,
    async cleanup() {
      for (const pid of spawned()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      await waitGone(spawned());
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Waits for killed processes to be reaped; polling is the only way to watch a pid we are not the parent of. */
async function waitGone(pids: number[]): Promise<void> {
  const { setTimeout: delay } = await import('node:timers/promises');
  for (let i = 0; i < 200 && pids.some(isAlive); i++) await delay(10);
}
