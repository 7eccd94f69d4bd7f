// The seam between the session core and where browsers run: what a session asks for, the browser it gets, its files.
import type { ArtifactKind } from '../../transport/protocol/browser-api.js';
import type { CdpConnection } from './cdp-connection.js';

/** Closes one connected CDP client with a WebSocket close code and reason. */
export type ClientCloser = (code: number, reason: string) => void;

export interface ProxySpec {
  /** `http://host:port`, `https://…`, `socks5://…` or `host:port`; never with credentials in it. */
  server: string;
  username?: string;
  password?: string;
  /** Chromium's bypass list: hosts or patterns separated by `,` or `;`. */
  bypass?: string;
}

export interface FingerprintSpec {
  userAgent?: string;
  viewport?: { width: number; height: number };
  locale?: string;
  timezoneId?: string;
}

/** What one session's browser is launched with (checked at the edge: see transport/protocol/schemas/browser-options.ts). */
export interface LaunchSpec {
  /** A video of the session: screencast frames encoded to MP4 by ffmpeg. */
  recording: boolean;
  /** The artifacts recorded besides the video. */
  record: readonly ArtifactKind[];
  /** Cookies, local storage and IndexedDB restored at launch and saved at finish under this key. */
  profile: { key: string } | null;
  proxy: ProxySpec | null;
  fingerprint: FingerprintSpec | null;
}

export const PLAIN_SPEC: LaunchSpec = { recording: false, record: [], profile: null, proxy: null, fingerprint: null };

/** One file a session produced; `name` is what artifactFile() takes back (`recording.mp4`, `screenshots/page-1.png`). */
export interface Artifact {
  name: string;
  /** Absolute path on this machine. */
  path: string;
  bytes: number;
  contentType: string;
}

/** The seed's artifact shape: null for what was not enabled or not produced. */
export interface ArtifactSet {
  screenshots: Artifact[];
  har: Artifact | null;
  recording: Artifact | null;
  consoleLogs: Artifact | null;
}

export interface FinishResult {
  artifacts: ArtifactSet;
}

/** A session's running browser. */
export interface LiveBrowser {
  pid: number;
  version: string;
  connection: CdpConnection;
  /** True when it came from the warm pool. */
  warm: boolean;
  /** Resolves with a sentence when the browser goes away on its own (crash, kill); never after finish() or close() began. */
  lost: Promise<string>;
  /**
   * Ends the session's browser: screenshots taken, HAR and console log written, the video finalized, the profile
   * saved (after a clean exit only), every process of it gone. After a crash it still returns what was recorded.
   */
  finish(artifactsDir: string): Promise<FinishResult>;
  /** Closes at once, keeping nothing (a failed launch, shutdown after a crash); every process gone when it resolves. */
  close(): Promise<void>;
}

export interface BrowserHost {
  /**
   * Throws an ApiError (a sentence naming what to install) when something the spec needs is missing here. A profile
   * another live session holds is not checked: the session core claims it atomically with the record.
   */
  check(spec: LaunchSpec): void;
  /** A warm browser when the spec allows one (no profile, proxy or recording), else a cold start. */
  launch(id: string, spec: LaunchSpec): Promise<LiveBrowser>;
  /** True while a live session holds the profile with this key. */
  profileLocked(key: string): boolean;
  /** Where finish() of a session should write by default. */
  artifactsDir(id: string): string;
  /** A readable path for one of a finished session's artifacts, by its name; an ApiError (404) for anything else. */
  artifactFile(id: string, name: string): string;
  /** Browsers in the warm pool now, waiting for a session. */
  readonly warmCount: number;
  /** `browsers.warm` changed: grow or shrink the pool; resolves once browsers above the new size are stopped. */
  setWarm(count: number): Promise<void>;
  /** Removes artifact directories of sessions no longer kept. */
  prune(keep: ReadonlySet<string>): void;
  /** Closes the warm pool; live sessions are the core's to finish first. */
  close(): Promise<void>;
}
