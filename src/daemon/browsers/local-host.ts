// The local browser host: Chromium processes on this machine, their profiles, pid records and artifact directories.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactKind } from '../../transport/protocol/browser-api.js';
import type { BrowserHost } from './browser-engine.js';
import type { BrowserDirs } from './browser-dirs.js';
import { findBrowser } from './executable.js';
import { launchBrowser, type LiveBrowser } from './local-browser.js';
import { forgetLive, recordLive } from './reaper.js';

export class LocalBrowserHost implements BrowserHost {
  constructor(
    private readonly dirs: BrowserDirs,
    private readonly executable: () => string | null,
    private readonly log: (message: string) => void,
  ) {}

  check(): void {
    findBrowser(this.executable());
  }

  launch(id: string, record: readonly ArtifactKind[]): Promise<LiveBrowser> {
    const profile = join(this.dirs.run, id);
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    return launchBrowser({
      executable: findBrowser(this.executable()),
      profileDir: profile,
      record,
      log: (message) => this.log(`browser ${id}: ${message}`),
      spawned: (pid) => recordLive(this.dirs, id, { pid, profile }),
    });
  }

  artifactsDir(id: string): string {
    return join(this.dirs.sessions, id);
  }

  cleanup(id: string): void {
    rmSync(join(this.dirs.run, id), { recursive: true, force: true });
    forgetLive(this.dirs, id);
  }

  prune(keep: ReadonlySet<string>): void {
    let names: string[];
    try {
      names = readdirSync(this.dirs.sessions);
    } catch {
      return;
    }
    for (const name of names) if (!keep.has(name)) rmSync(join(this.dirs.sessions, name), { recursive: true, force: true });
  }
}
