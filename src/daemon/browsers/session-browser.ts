// One session's browser: a started Chromium with what the session asked for (recording, artifacts, fingerprint, proxy
// credentials, profile), and its ending, which finishes every file before it returns.
import { mkdirSync, renameSync, rmSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { ARTIFACT_NAMES, Recorder } from './artifacts/recorder.js';
import { EMPTY_ARTIFACTS, writeManifest } from './artifacts/artifact-files.js';
import { Screencast } from './artifacts/screencast.js';
import { DEFAULT_FPS, VideoEncoder } from './artifacts/video-encoder.js';
import type { Artifact, FinishResult, LaunchSpec, LiveBrowser } from './browser-host.js';
import { Fingerprint } from './fingerprint.js';
import { exitReason } from './launcher.js';
import { stopChromium, type StartedBrowser } from './local-browser.js';
import { cookieParam, type Cookie, type ProfileStore } from './profile-store.js';
import { ProxyAuth } from './proxy-auth.js';
import { TargetWatcher, type TargetHandler } from './target-watcher.js';

const DEFAULT_VIDEO = { width: 1280, height: 720 };

export interface SessionParts {
  started: StartedBrowser;
  warm: boolean;
  spec: LaunchSpec;
  clock: Clock;
  log(message: string): void;
  /** The session's artifacts directory: the video is written there as the session runs. */
  artifactsDir: string;
  /** The ffmpeg to encode with (checked before launch) when the spec records. */
  ffmpeg: string | null;
  fps?: number;
  profiles: ProfileStore;
  /** Releases the session's hold on its profile key. */
  releaseProfile(): void;
  /** Every process is gone: the host drops its pid record and user-data-dir. */
  gone(): void;
}

/** Sets the session up on a started browser; on failure the browser is stopped and the error passed on. */
export async function openSession(p: SessionParts): Promise<LiveBrowser> {
  const { connection: conn } = p.started;
  const { spec } = p;
  const handlers: TargetHandler[] = [];
  let recorder: Recorder | null = null;
  let encoder: VideoEncoder | null = null;
  try {
    if (spec.fingerprint) handlers.push(new Fingerprint(conn, spec.fingerprint, p.started.userAgent));
    const username = spec.proxy?.username;
    if (username !== undefined) handlers.push(new ProxyAuth(conn, { username, password: spec.proxy?.password }));
    if (spec.record.length > 0) handlers.push((recorder = new Recorder(conn, spec.record, p.log)));
    if (spec.recording) {
      const size = spec.fingerprint?.viewport ?? DEFAULT_VIDEO;
      mkdirSync(p.artifactsDir, { recursive: true, mode: 0o700 });
      const path = join(p.artifactsDir, ARTIFACT_NAMES.recording);
      encoder = new VideoEncoder({ ffmpeg: p.ffmpeg!, path, ...size, fps: p.fps, clock: p.clock, log: p.log });
      handlers.push(new Screencast(conn, encoder, size, p.clock, 1000 / (p.fps ?? DEFAULT_FPS)));
    }
    if (spec.profile) {
      const cookies = p.profiles.cookies(spec.profile.key).map(cookieParam);
      if (cookies.length > 0) await conn.call('Storage.setCookies', { cookies });
    }
    let watcher: TargetWatcher | null = null;
    if (handlers.length > 0) {
      const credentials = username !== undefined;
      watcher = new TargetWatcher(conn, handlers, { frames: spec.fingerprint !== null || credentials, workers: credentials }, p.log);
      await watcher.start();
    }
    // The session's time, and so its video, starts as it becomes ready.
    encoder?.start();
    return new SessionBrowser(p, watcher, recorder, encoder);
  } catch (err) {
    await encoder?.kill();
    await stopChromium(p.started, p.clock);
    p.releaseProfile();
    p.gone();
    throw err;
  }
}

class SessionBrowser implements LiveBrowser {
  readonly lost: Promise<string>;
  private ending = false;
  private finishing: Promise<FinishResult> | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly p: SessionParts,
    private readonly watcher: TargetWatcher | null,
    private readonly recorder: Recorder | null,
    private readonly encoder: VideoEncoder | null,
  ) {
    const { proc } = p.started;
    this.lost = new Promise((resolve) => {
      void proc.exited.then((exit) => {
        // The video ends where the browser did, however much later the session is finished.
        encoder?.freeze();
        if (!this.ending) resolve(exitReason(exit, proc.stderrTail()));
      });
    });
  }

  get pid(): number {
    return this.p.started.proc.pid;
  }

  get version(): string {
    return this.p.started.version;
  }

  get connection() {
    return this.p.started.connection;
  }

  get warm(): boolean {
    return this.p.warm;
  }

  finish(artifactsDir: string): Promise<FinishResult> {
    this.finishing ??= this.end(artifactsDir);
    return this.finishing;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.ending = true;
      if (this.finishing) return void (await this.finishing.catch(() => undefined));
      this.watcher?.stop();
      await Promise.all([this.encoder?.kill(), stopChromium(this.p.started, this.p.clock)]);
      this.p.releaseProfile();
      this.p.gone();
    })();
    return this.closing;
  }

  private async end(dir: string): Promise<FinishResult> {
    this.ending = true;
    const { p } = this;
    const conn = p.started.connection;
    this.encoder?.freeze();
    const alive = !conn.closed;
    const profile = p.spec.profile;
    if (alive) await this.recorder?.takeScreenshots(this.watcher?.pages() ?? []);
    let cookies: Cookie[] | null = null;
    if (alive && profile) cookies = await conn.call<{ cookies: Cookie[] }>('Storage.getCookies').then((r) => r.cookies, () => null);
    this.watcher?.stop();
    // ffmpeg writes the file's index while the browser closes.
    const video = this.encoder?.finish() ?? Promise.resolve(false);
    const stopped = await stopChromium(p.started, p.clock, profile !== null && alive);
    if (stopped.lingering) p.log(`a process of browser ${this.pid} would not die`);
    if (profile) {
      if (stopped.clean && cookies) {
        try {
          p.profiles.save(profile.key, p.started.profileDir, cookies);
        } catch (err) {
          p.log(`saving profile ${profile.key} failed: ${(err as Error).message}`);
        }
      } else p.log(`profile ${profile.key} was not saved: the browser did not close cleanly; the last saved one stays`);
    }
    p.releaseProfile();
    const files = this.recorder?.write(dir) ?? EMPTY_ARTIFACTS;
    const recording = (await video) ? this.placeVideo(dir) : null;
    p.gone();
    const artifacts = { ...files, recording };
    writeManifest(dir, artifacts);
    return { artifacts };
  }

  /** The video was written in the session's artifacts directory; a finish into another one moves it there. */
  private placeVideo(dir: string): Artifact {
    const from = join(this.p.artifactsDir, ARTIFACT_NAMES.recording);
    const path = join(dir, ARTIFACT_NAMES.recording);
    if (from !== path) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      try {
        renameSync(from, path);
      } catch {
        copyFileSync(from, path);
        rmSync(from, { force: true });
      }
    }
    return { name: ARTIFACT_NAMES.recording, path, bytes: statSync(path).size, contentType: 'video/mp4' };
  }
}
