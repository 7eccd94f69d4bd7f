// What every sandbox of one host shares: the probe's findings, settings, paths, clock and log.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../shared/clock.js';
import type { HostProbe } from './probe.js';
import type { SpareDisk } from './spare-disk.js';
import type { IsolationLevel, RuntimeLost, SandboxSettings } from './sandbox-types.js';

export interface SandboxContext {
  stateDir: string;
  clock: Clock;
  log: (message: string) => void;
  settings: SandboxSettings;
  probe: HostProbe;
  level: IsolationLevel;
  agentPath: string;
  hidden: string[];
  /** Names this host's cgroups apart from another daemon's on the same machine: fbay/<hostKey>/<id>. */
  hostKey: string;
  lost: (event: RuntimeLost) => void;
  /** A workspace disk made ahead of time for the next create, where disks are images (null: they are not). */
  spare: SpareDisk | null;
}

/** The agent next to this module: agent.js once built, agent.ts when run from source (Bun runs either). */
export function agentPath(): string {
  for (const name of ['./agent/agent.js', './agent/agent.ts']) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the sandbox agent (agent/agent.js) is missing from this install of fbay; reinstall it');
}

export function hostKey(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
}

/**
 * Each sandbox gets its own host user when the daemon is root, derived from the host and id so it is the same
 * after a restart; the range sits far above real accounts (uids up to 2^31 are valid).
 */
export function sandboxUid(key: string, id: string): number {
  const h = createHash('sha256').update(`${key}/${id}`).digest().readUInt32BE(0);
  return 1_900_000_000 + (h % 200_000_000);
}
