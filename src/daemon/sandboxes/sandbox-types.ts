// The sandbox provider's seam: what the session core passes in (limits, settings) and what it gets back.
import type { Clock } from '../../shared/clock.js';

/** Limits the plan asks for; `applied` says which of them the host could enforce. */
export interface SandboxLimits {
  memory_mb: number;
  /** CPUs' worth of time, e.g. 0.25. */
  cpu: number;
  disk_mb: number;
  /** Processes and threads, all together. */
  pids: number;
  exec_timeout_s: number;
  /** Largest file the files API reads or writes (plan: 10 MB free, 50 MB paid). */
  max_file_bytes: number;
}

export interface AppliedLimits extends SandboxLimits {
  /** Each limit and how it is enforced, or why it is not. */
  enforced: Record<'memory_mb' | 'cpu' | 'disk_mb' | 'pids', string | null>;
}

export type IsolationLevel = 'namespaces' | 'process';

export interface Isolation {
  level: IsolationLevel;
  mechanisms: string[];
  /** Each a sentence: what is not isolated or not limited here, and why. */
  missing: string[];
  /** Why namespaces could not be used (level `process`), else null. */
  reason: string | null;
  runtime: { name: 'bun'; version: string };
}

export interface SandboxSettings {
  /** `namespaces` refuses to create a sandbox without them; `process` allows the weaker level. */
  isolation: IsolationLevel;
  /** `none`: loopback only. `outbound`: outbound network through a user-mode stack where the host has one. */
  network: 'none' | 'outbound';
  bwrapPath: string;
  setprivPath: string;
  slirp4netnsPath: string;
  /** Bytes kept of each background process's output (a ring: older bytes are dropped). */
  outputRingBytes: number;
  /** Bytes of stdout and of stderr an exec's result carries; the rest is cut and `output_truncated` says so. */
  execOutputBytes: number;
}

export const DEFAULT_SETTINGS: SandboxSettings = {
  isolation: 'namespaces',
  network: 'none',
  bwrapPath: '/usr/bin/bwrap',
  setprivPath: '/usr/bin/setpriv',
  slirp4netnsPath: '/usr/bin/slirp4netns',
  outputRingBytes: 1 << 20,
  execOutputBytes: 4 << 20,
};

export interface HostOptions {
  /** Where sandboxes keep their data: `<stateDir>/sandboxes/<id>/`. */
  stateDir: string;
  log: (message: string) => void;
  clock: Clock;
  settings?: Partial<SandboxSettings>;
  /** Paths the sandbox must never see even if they sit under a system directory it reads (socket, keys, state). */
  hidden?: string[];
}

export type Language = 'ts' | 'js' | 'sh';

export interface ExecFile {
  path: string;
  content: string | Uint8Array;
}

export interface ExecRequest {
  code?: string;
  command?: string;
  language?: Language;
  files?: ExecFile[];
  env?: Record<string, string>;
  timeout_s?: number;
  /** Called with output as it comes, for streaming. */
  stream?: (chunk: { stream: 'stdout' | 'stderr'; data: Buffer }) => void;
  signal?: AbortSignal;
}

/** What an exec gives back: the API's own shape. */
export type { SandboxExecResult as ExecResult } from '../../transport/protocol/sandbox-api.js';

export type Restart = 'never' | 'on_wake';

export interface BackgroundRequest {
  code?: string;
  command?: string;
  language?: Language;
  env?: Record<string, string>;
  restart?: Restart;
}

export interface ProcessInfo {
  pid: number;
  command: string;
  language: Language;
  restart: Restart;
  state: 'running' | 'exited';
  exit_code: number | null;
  signal: string | null;
  started_at: string;
  ended_at: string | null;
  /** Total bytes of output so far: the offset a reader who is up to date passes as `since`. */
  output_bytes: number;
}

export interface ProcessOutput {
  /** Interleaved stdout and stderr from `since` on (at most the ring's size). */
  data: Buffer;
  /** Pass as `since` to read on. */
  next: number;
  /** Bytes asked for that are no longer held (older than the ring). */
  lost: number;
  ended: boolean;
  exit_code: number | null;
}

export type SandboxState = 'running' | 'frozen' | 'asleep' | 'destroyed';

/** Emitted by the host when a sandbox's runtime ends without being asked to (its agent was killed, say). */
export interface RuntimeLost {
  id: string;
  reason: string;
}
