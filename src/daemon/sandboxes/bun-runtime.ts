// Finds the Bun binary the npm package `bun` installed (its platform package, run directly: no Node wrapper).
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BunRuntime {
  path: string;
  version: string;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).size > 1 << 20;
  } catch {
    return false;
  }
}

/**
 * The platform package ships `bin/bun`; bun's postinstall moves it to `bun/bin/bun.exe` (a hard link), so
 * depending on whether install scripts ran it is in one place or the other.
 */
export function bunCandidates(): string[] {
  const require = createRequire(import.meta.url);
  const found: string[] = [];
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x64';
  for (const [pkg, rel] of [
    [`@oven/bun-linux-${arch}/package.json`, 'bin/bun'],
    ['bun/package.json', 'bin/bun.exe'],
  ] as const) {
    try {
      found.push(join(dirname(require.resolve(pkg)), rel));
    } catch {
      // Not installed: the other place may have it.
    }
  }
  return found;
}

/**
 * The Bun to run sandboxes with (its version from running it, without holding up the daemon's event loop), or
 * why there is none with the places looked at.
 */
export async function findBun(candidates = bunCandidates()): Promise<BunRuntime | { missing: string }> {
  for (const path of candidates) {
    if (!executable(path)) continue;
    const { stdout } = await run(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return { path, version: stdout.trim() };
  }
  return { missing: `Bun was not found (looked at ${candidates.join(', ') || 'no installed bun package'}); reinstall fbay so its bun dependency is in place.` };
}
