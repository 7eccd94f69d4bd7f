// Small formatters for human output: relative times, credits, empty values.
import { formatDuration } from '../../shared/duration.js';

/** "3m ago", "in 25s", "just now"; '-' for null. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'just now';
  return delta < 0 ? `${formatDuration(-delta)} ago` : `in ${formatDuration(delta)}`;
}

/** Credits to at most two decimals, without trailing zeros. */
export function credits(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  return String(Math.round(n * 100) / 100);
}

/** "1 credit", "2.5 credits". */
export function creditCount(n: number): string {
  const text = credits(n);
  return `${text} ${text === '1' ? 'credit' : 'credits'}`;
}

export function seconds(s: number | null | undefined): string {
  return s === null || s === undefined ? '-' : formatDuration(s * 1000);
}

export function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : value;
}
