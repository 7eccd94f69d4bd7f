// Parses and prints the CLI's durations: 500ms, 30s, 5m, 2h (DESIGN.md §6).
import { UserError } from './user-error.js';
import { EXIT } from './exit-codes.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Returns milliseconds; a bare number is seconds. Throws a UserError naming the option on bad input. */
export function parseDuration(text: string, option = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) {
    throw new UserError(`${option} must be a duration like 500ms, 30s, 5m or 2h; got '${text}'.`, { exit: EXIT.usage });
  }
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']!);
  if (!Number.isSafeInteger(ms)) {
    throw new UserError(`${option} '${text}' is too large.`, { exit: EXIT.usage });
  }
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
}
