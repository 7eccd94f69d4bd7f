// Sandbox sessions (DESIGN §3, §4): the shapes of the sandbox routes, shared by the CLI and the daemon.
import type { Metadata } from './api.js';

export const SANDBOX_STATES = ['creating', 'active', 'idle', 'deep_sleep', 'waking', 'expired', 'ended', 'failed'] as const;
export type SandboxState = (typeof SANDBOX_STATES)[number];

/** States that count toward a plan's live sandboxes (deep sleep does not). */
export const LIVE_SANDBOX_STATES = ['creating', 'active', 'idle', 'waking'] as const;

export const DEFAULT_SANDBOX_TTL_S = 86_400;
export const SANDBOX_LANGUAGES = ['ts', 'js', 'sh'] as const;
export type SandboxLanguage = (typeof SANDBOX_LANGUAGES)[number];

/** The limits a create may set on a plan with overrides. */
export interface SandboxLimitsRequest {
  memory_mb?: number;
  cpu?: number;
  disk_mb?: number;
  exec_timeout_s?: number;
}

export interface CreateSandboxRequest {
  kind?: 'sandbox';
  ttl?: number;
  metadata?: Metadata;
  limits?: SandboxLimitsRequest;
}

/** The limits as applied, and how the host enforces each (null: it could not; `isolation.missing` says why). */
export interface SandboxLimitsView {
  memory_mb: number;
  cpu: number;
  disk_mb: number;
  exec_timeout_s: number;
  max_exec_timeout_s: number;
  max_file_bytes: number;
  pids: number;
  enforced: Record<'memory_mb' | 'cpu' | 'disk_mb' | 'pids', string | null> | null;
}

export interface SandboxIsolation {
  level: 'namespaces' | 'process';
  mechanisms: string[];
  missing: string[];
  reason: string | null;
  runtime: { name: 'bun'; version: string };
}

export interface SandboxSession {
  id: string;
  kind: 'sandbox';
  state: SandboxState;
  account: string;
  created_at: string;
  /** created_at + ttl: the instant it expires, whatever its state. */
  expires_at: string;
  ttl_s: number;
  /** Its web app (port 3000 inside), secret included; null once it is over. */
  url: string | null;
  limits: SandboxLimitsView;
  isolation: SandboxIsolation | null;
  metadata: Metadata;
  last_activity_at: string;
  ended_at: string | null;
  end_reason: string | null;
  failure_reason: string | null;
  credits_used: number;
  rate_credits_per_min: number;
}

export interface ExecFileInput {
  path: string;
  content: string;
  encoding?: 'utf8' | 'base64';
}

export interface ExecRequestBody {
  code?: string;
  command?: string;
  language?: SandboxLanguage;
  files?: ExecFileInput[];
  env?: Record<string, string>;
  timeout_s?: number;
  background?: boolean;
  restart?: 'never' | 'on_wake';
  stream?: boolean;
}

export interface SandboxExecResult {
  stdout: string;
  stderr: string;
  exit_code: number | null;
  signal: string | null;
  execution_ms: number;
  timed_out: boolean;
  oom_killed: boolean;
  memory_used_mb: number | null;
  cpu_ms: number | null;
  files_written: string[];
  output_truncated: boolean;
}

export interface SandboxProcess {
  pid: number;
  command: string;
  language: SandboxLanguage;
  restart: 'never' | 'on_wake';
  state: 'running' | 'exited';
  exit_code: number | null;
  signal: string | null;
  started_at: string;
  ended_at: string | null;
  output_bytes: number;
}

export interface SandboxProcessOutput {
  pid: number;
  /** Interleaved stdout and stderr from `since` (utf8, or base64 with ?encoding=base64). */
  data: string;
  encoding: 'utf8' | 'base64';
  next: number;
  lost: number;
  ended: boolean;
  exit_code: number | null;
}

export interface SandboxFileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  modified_at: string;
}

export interface SandboxDirectory {
  path: string;
  entries: SandboxFileEntry[];
}

/** SSE events of `POST …/exec` with `stream: true`: output as it comes, a heartbeat, then one `result`. */
export type ExecStreamEvent =
  | { type: 'stdout' | 'stderr'; data: string }
  | { type: 'heartbeat'; elapsed_ms: number }
  | { type: 'result'; result: SandboxExecResult }
  | { type: 'error'; error: string; code: string };

export const SANDBOX_HEARTBEAT_MS = 5_000;

/** The rate-limit headers on every sandbox route's answer. */
export const RATE_HEADERS = { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' } as const;
