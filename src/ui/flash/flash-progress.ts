// What the flash panel shows of a job: its phase, bytes written, speed and log, kept from the job the daemon
// answered with and the `flash` events it publishes (a job started from the CLI shows up too: one job at a time).
import type { FlashJob, FlashJobState, FlashPhase } from '../../transport/protocol/flash-api.js';
import type { FlashProgressFields } from '../../transport/protocol/ws-messages.js';

/** Log lines kept on the page; the job's whole log is in `fbay flash --status`. */
export const KEPT_LINES = 500;

export interface FlashProgress {
  id: string;
  state: FlashJobState;
  phase: FlashPhase;
  written: number;
  total: number;
  kbit_s: number;
  error: string | null;
  lines: string[];
  /** The job as GET …/flash gives it once it ended (images, seconds, boot offset). */
  final: FlashJob | null;
}

export function fromJob(job: FlashJob): FlashProgress {
  return {
    id: job.id,
    state: job.state,
    phase: job.phase,
    written: job.written,
    total: job.total,
    kbit_s: job.kbit_s,
    error: job.error,
    lines: job.log.slice(-KEPT_LINES),
    final: job.state === 'running' ? null : job,
  };
}

/** A job the daemon answered with (the POST, or a GET): events that came first are kept. */
export function withJob(current: FlashProgress | null, job: FlashJob): FlashProgress {
  if (!current || current.id !== job.id) return fromJob(job);
  if (job.state === 'running') return current.state === 'running' && job.written > current.written ? { ...current, written: job.written, phase: job.phase } : current;
  return { ...current, state: job.state, phase: job.phase, written: job.written, total: job.total, error: job.error, final: job };
}

/** One `flash` event: progress, a log line, or the end. */
export function withEvent(current: FlashProgress | null, e: FlashProgressFields): FlashProgress {
  const base: FlashProgress =
    current && current.id === e.job_id
      ? current
      : { id: e.job_id, state: 'running', phase: e.phase, written: 0, total: e.total, kbit_s: 0, error: null, lines: [], final: null };
  // An ended job stays ended: a late progress event does not bring it back.
  if (base.state !== 'running') return e.line === undefined ? base : { ...base, lines: [...base.lines, e.line].slice(-KEPT_LINES) };
  return {
    ...base,
    state: e.state,
    phase: e.phase,
    written: Math.max(base.written, e.written),
    total: e.total,
    kbit_s: e.kbit_s || base.kbit_s,
    error: e.error ?? base.error,
    lines: e.line === undefined ? base.lines : [...base.lines, e.line].slice(-KEPT_LINES),
  };
}

export function percent(p: FlashProgress): number {
  if (p.state === 'succeeded') return 100;
  return p.total > 0 ? Math.min(100, Math.floor((p.written / p.total) * 100)) : 0;
}
