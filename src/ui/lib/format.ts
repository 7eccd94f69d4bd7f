// How the dashboard writes times, durations and credits.

/** 75 → "1:15", 3725 → "1:02:05". */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function credits(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** "just now", "12 s ago", "5 min ago", or the date for older. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function seconds(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'no cap';
  if (n % 3600 === 0) return `${n / 3600} h`;
  if (n % 60 === 0) return `${n / 60} min`;
  return `${n} s`;
}

/** 8388608 → "8 MiB", 131072 → "128 KiB", 1536 → "1.5 KiB", as the daemon writes sizes. */
export function bytes(n: number): string {
  const MiB = 1024 * 1024;
  if (n >= MiB) return `${n % MiB === 0 ? n / MiB : (n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${n % 1024 === 0 ? n / 1024 : (n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
