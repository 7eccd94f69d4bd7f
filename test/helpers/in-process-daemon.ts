// Test helper: a real daemon started in this process (startDaemon) on a real Unix socket in a fresh FBAY_HOME, so a
// test can look at a virtual board's simulated chip (pins, state) while a CLI service or process talks to it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { resolvePaths } from '../../src/shared/paths.js';
import { daemonClient } from '../../src/cli/client/connect.js';
import type { DaemonClient } from '../../src/cli/client/daemon-client.js';
import type { CliContext } from '../../src/cli/context.js';

export interface InProcessDaemon {
  home: string;
  daemon: RunningDaemon;
  /** A CLI client for this daemon (never starts another). */
  client: DaemonClient;
  ctx: CliContext;
  /** The daemon's log lines so far. */
  logs: string[];
  stop(): Promise<void>;
}

export async function inProcessDaemon(config: Record<string, unknown> = {}): Promise<InProcessDaemon> {
  const home = mkdtempSync('/tmp/fbay-ip-');
  writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  const env = { FBAY_HOME: home, FBAY_NO_AUTOSTART: '1' };
  const logs: string[] = [];
  const started = await startDaemon({ paths: resolvePaths(env), log: (line) => logs.push(line) });
  if (!('running' in started)) throw new Error(`a daemon already runs in ${home}`);
  const daemon = started.running;
  const ctx: CliContext = { io: { out: () => undefined, err: () => undefined }, env, signal: new AbortController().signal };
  return {
    home,
    daemon,
    client: daemonClient(ctx),
    ctx,
    logs,
    stop: async () => {
      await daemon.stop(false);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
