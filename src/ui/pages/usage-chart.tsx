// The account's usage over time: credits per day as bars (an SVG, no chart library), and this month's browser
// hours against the plan's quota.
import { api } from '../api.js';
import { credits } from '../lib/format.js';
import { useEvents, useLoad } from '../hooks.js';

interface Usage {
  days: number;
  buckets: Array<{ start: string; credits: Record<string, number>; hours: Record<string, number> }>;
  quota: Record<string, { used_hours: number; monthly_hours: number | null }>;
}

const W = 600;
const H = 140;

export function UsageChart() {
  const usage = useLoad(() => api<Usage>('GET', '/v1/usage?days=30'), []);
  useEvents((type) => {
    if (type === 'ended' || type === 'resync') usage.reload();
  });
  if (usage.error) return <p role="alert" className="error">{usage.error.message}</p>;
  const u = usage.value;
  if (!u) return <p className="muted">Loading…</p>;
  const totals = u.buckets.map((b) => Object.values(b.credits).reduce((a, c) => a + c, 0));
  const max = Math.max(1, ...totals);
  const bar = W / u.buckets.length;
  const browser = u.quota.browser;
  return (
    <>
      <svg viewBox={`0 0 ${W} ${H + 16}`} role="img" aria-label={`Credits per day over the last ${u.days} days; most in one day: ${credits(max)}`} className="usage-chart" data-testid="usage-chart">
        {u.buckets.map((b, i) => {
          const h = (totals[i]! / max) * H;
          return (
            <rect key={b.start} x={i * bar + 1} y={H - h} width={Math.max(1, bar - 2)} height={h} className="usage-bar">
              <title>{`${b.start.slice(0, 10)}: ${credits(totals[i]!)} credits`}</title>
            </rect>
          );
        })}
        <text x={0} y={H + 14} className="usage-axis">{u.buckets[0]?.start.slice(0, 10)}</text>
        <text x={W} y={H + 14} textAnchor="end" className="usage-axis">today</text>
      </svg>
      <p data-testid="usage-summary">
        {credits(totals.reduce((a, c) => a + c, 0))} credits in {u.days} days
        {browser ? ` · browser hours this month: ${browser.used_hours} of ${browser.monthly_hours ?? '∞'}` : ''}
      </p>
    </>
  );
}
