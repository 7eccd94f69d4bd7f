// Real sandboxes for tests: a SandboxHost over a temp state dir, on real bubblewrap, cgroups and Bun.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../../src/shared/clock.js';
import { SandboxHost } from '../../../src/daemon/sandboxes/sandbox-host.js';
import type { SandboxSettings } from '../../../src/daemon/sandboxes/sandbox-types.js';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';

/** Fails (never skips) with a sentence naming what the machine lacks. */
export function requireSandboxHost(): void {
  if (process.getuid?.() !== 0) throw new Error('These tests need root (CI runs as root): they make cgroups and loop-mounted disks.');
  if (!existsSync('/usr/bin/bwrap')) throw new Error('These tests need bubblewrap at /usr/bin/bwrap (apt-get install bubblewrap).');
}

/** The command names of a sandbox's processes, as the host sees them (bwrap, bun…). */
export function processNames(box: Sandbox): string[] {
  return box.cgroup!.pids().flatMap((pid) => {
    try {
      return [readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
    } catch {
      return [];
    }
  });
}

export function newId(): string {
  return `ses_${randomBytes(12).toString('hex')}`;
}

export interface Harness {
  host: SandboxHost;
  stateDir: string;
  logs: string[];
  close(): Promise<void>;
}

export async function openHost(settings: Partial<SandboxSettings> = {}, stateDir = mkdtempSync(join(tmpdir(), 'fbay-sbx-'))): Promise<Harness> {
  requireSandboxHost();
  const logs: string[] = [];
  const host = await SandboxHost.open({ stateDir, log: (m) => logs.push(m), clock: systemClock, settings });
  return {
    host,
    stateDir,
    logs,
    async close() {
      await host.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
