// Account: tier, balance, limits and the usage chart.
import type { Account } from '../../transport/protocol/api.js';
import { api } from '../api.js';
import { credits, seconds } from '../lib/format.js';
import { useEvents, useLoad } from '../hooks.js';
import { UsageChart } from './usage-chart.js';

export function AccountPage() {
  const me = useLoad(() => api<Account>('GET', '/v1/auth/me'), []);
  useEvents((type) => {
    if (type === 'ended' || type === 'resync') me.reload();
  });
  if (me.error) return <p role="alert" className="error">{me.error.message}</p>;
  const a = me.value;
  if (!a) return <p className="muted">Loading…</p>;
  return (
    <>
      <h1>Account</h1>
      <div className="cards">
        <section className="card" aria-labelledby="acct">
          <h2 id="acct">{a.account}</h2>
          <dl className="facts">
            <dt>Tier</dt>
            <dd>{a.tier}</dd>
            <dt>Balance</dt>
            <dd data-testid="balance">{a.balance_credits === null ? 'unmetered' : `${credits(a.balance_credits)} credits`}</dd>
            <dt>Credits used</dt>
            <dd>{credits(a.credits_used_total)}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="limits">
          <h2 id="limits">Limits</h2>
          <dl className="facts">
            <dt>Live board sessions</dt>
            <dd>{a.limits.max_concurrent}</dd>
            <dt>Session cap</dt>
            <dd>{seconds(a.limits.max_session_s)}</dd>
            <dt>Starting credits</dt>
            <dd>{a.limits.initial_credits === null ? '—' : credits(a.limits.initial_credits)}</dd>
          </dl>
        </section>
      </div>
      <section className="card chart-slot" aria-labelledby="usage" data-testid="usage-slot">
        <h2 id="usage">Usage over time</h2>
        <UsageChart />
      </section>
    </>
  );
}
