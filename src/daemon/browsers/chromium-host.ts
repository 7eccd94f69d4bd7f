// The local browser host: Chromium on this machine, cold or from the warm pool, with each session's profile, pid
// record, user-data-dir and artifact files.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { artifactPath } from './artifacts/artifact-files.js';
import { findFfmpeg } from './artifacts/ffmpeg.js';
import type { BrowserDirs } from './browser-dirs.js';
import type { BrowserHost, LaunchSpec, LiveBrowser } from './browser-host.js';
import { findBrowser } from './executable.js';
import { primeFirstPage, startChromium, stopChromium, type StartedBrowser } from './local-browser.js';
import { ProfileStore } from './profile-store.js';
import { proxyArgs } from './proxy-auth.js';
import { forgetLive, recordLive } from './reaper.js';
import { openSession } from './session-browser.js';
import { WarmPool } from './warm-pool.js';

export interface ChromiumHostOptions {
  dirs: BrowserDirs;
  clock: Clock;
  log(message: string): void;
  /** `browsers.executable`: null searches PATH. */
  executable(): string | null;
  /** `browsers.ffmpeg`: null searches PATH. */
  ffmpeg(): string | null;
  /** `browsers.profile_dir`: where saved profiles live (default: `profiles` under the browsers state dir). */
  profilesDir?: string;
  /** Frames per second of recordings. */
  fps?: number;
}


/** A session that asks for none of these can have a browser launched before it was asked for. */
export function allowsWarm(spec: LaunchSpec): boolean {
  return spec.profile === null && spec.proxy === null && !spec.recording;
}

export class ChromiumHost implements BrowserHost {
  readonly profiles: ProfileStore;
  private readonly pool: WarmPool;

  constructor(private readonly o: ChromiumHostOptions) {
    this.profiles = new ProfileStore(o.profilesDir ?? join(o.dirs.root, 'profiles'));
    this.pool = new WarmPool({
      clock: o.clock,
      log: (m) => o.log(`browsers: ${m}`),
      executable: () => {
        try {
          return findBrowser(o.executable());
        } catch {
          return null;
        }
      },
      start: async () => {
        const b = await this.start(`warm-${randomBytes(6).toString('hex')}`, []);
        try {
          await primeFirstPage(b.connection);
        } catch (err) {
          await this.stop(b);
          throw err;
        }
        return b;
      },
      stop: (b) => this.stop(b),
    });
  }

  /** Browsers waiting in the warm pool. */
  get warmCount(): number {
    return this.pool.count;
  }

  /** Resolves once the warm pool is full (tests and benchmarks wait on this, never on time). */
  warmFilled(): Promise<void> {
    return this.pool.filled();
  }

  /** What this machine lacks for the spec. A profile held by a live session is the core's to refuse (its store claims it). */
  check(spec: LaunchSpec): void {
    findBrowser(this.o.executable());
    if (spec.recording) findFfmpeg(this.o.ffmpeg());
  }

  profileLocked(key: string): boolean {
    return this.profiles.locked(key);
  }

  async launch(id: string, spec: LaunchSpec): Promise<LiveBrowser> {
    try {
      return await this.open(id, spec);
    } finally {
      // After the caller has its answer: spawning Chromium holds the event loop for milliseconds.
      setImmediate(() => this.pool.replenish());
    }
  }

  private async open(id: string, spec: LaunchSpec): Promise<LiveBrowser> {
    this.check(spec);
    // Held by a live session here: a second launch with it is refused even if a caller skipped the core's claim.
    const ffmpeg = spec.recording ? findFfmpeg(this.o.ffmpeg()) : null;
    const releaseProfile = spec.profile ? this.profiles.lock(spec.profile.key) : () => {};
    let started: StartedBrowser | null = allowsWarm(spec) ? this.pool.take() : null;
    const warm = started !== null;
    try {
      if (started) {
        recordLive(this.o.dirs, id, { pid: started.proc.pid, profile: started.profileDir });
        forgetLive(this.o.dirs, recordName(started));
      } else {
        started = await this.start(id, proxyArgs(spec.proxy), spec.profile?.key);
      }
    } catch (err) {
      releaseProfile();
      throw err;
    }
    const browser = started;
    return openSession({
      started: browser,
      warm,
      spec,
      clock: this.o.clock,
      log: (m) => this.o.log(`browser ${id}: ${m}`),
      artifactsDir: this.artifactsDir(id),
      ffmpeg,
      fps: this.o.fps,
      profiles: this.profiles,
      releaseProfile,
      gone: () => {
        forgetLive(this.o.dirs, id);
        rmSync(browser.profileDir, { recursive: true, force: true });
      },
    });
  }

  artifactsDir(id: string): string {
    return join(this.o.dirs.sessions, id);
  }

  artifactFile(id: string, name: string): string {
    return artifactPath(this.artifactsDir(id), id, name);
  }

  setWarm(count: number): Promise<void> {
    return this.pool.resize(count);
  }

  prune(keep: ReadonlySet<string>): void {
    let names: string[];
    try {
      names = readdirSync(this.o.dirs.sessions);
    } catch {
      return;
    }
    for (const name of names) if (!keep.has(name)) rmSync(join(this.o.dirs.sessions, name), { recursive: true, force: true });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** A Chromium with a user-data-dir of its own under run/ (holding the saved profile's files when there is one). */
  private async start(name: string, args: string[], profileKey?: string): Promise<StartedBrowser> {
    const profileDir = join(this.o.dirs.run, name);
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true, mode: 0o700 });
    try {
      if (profileKey) this.profiles.restoreInto(profileKey, profileDir);
      return await startChromium(
        { executable: findBrowser(this.o.executable()), profileDir, args, spawned: (pid) => recordLive(this.o.dirs, name, { pid, profile: profileDir }) },
        this.o.clock,
      );
    } catch (err) {
      forgetLive(this.o.dirs, name);
      rmSync(profileDir, { recursive: true, force: true });
      throw err;
    }
  }

  private async stop(b: StartedBrowser): Promise<void> {
    await stopChromium(b, this.o.clock);
    forgetLive(this.o.dirs, recordName(b));
    rmSync(b.profileDir, { recursive: true, force: true });
  }
}

/** A browser's pid record is named after its user-data-dir (the session id, or `warm-…`). */
function recordName(b: StartedBrowser): string {
  return b.profileDir.slice(b.profileDir.lastIndexOf('/') + 1);
}
