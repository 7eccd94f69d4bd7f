// The session's status bar: state, the idle countdown while idle, elapsed time, credits used, balance and burn rate.
import type { Session } from '../../transport/protocol/api.js';
import type { LineState } from '../console/serial-line.js';
import { clock, credits } from '../lib/format.js';
import { meterNow, type Reading } from '../lib/meter.js';
import { useNow } from '../hooks.js';

const LINE_TEXT: Record<LineState, string> = {
  connecting: 'connecting…',
  open: 'connected',
  reconnecting: 'reconnecting…',
  ended: 'closed',
};

export function StatusBar({ session, reading, lineState }: { session: Session; reading: Reading | null; lineState: LineState }) {
  const now = useNow();
  const meter = reading ? meterNow(reading, session.state, now) : null;
  const started = session.started_at ? Date.parse(session.started_at) : null;
  const stopped = session.ended_at ? Date.parse(session.ended_at) : now;
  const idleLeft = session.state === 'idle' && session.idle_deadline ? (Date.parse(session.idle_deadline) - now) / 1000 : null;
  const unmetered = meter?.balance === null;
  const item = (label: string, value: string, testid?: string) => (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testid}>{value}</dd>
    </div>
  );
  return (
    <dl className="status" aria-label="Session status">
      {item('State', session.state, 'status-state')}
      {idleLeft !== null && item('Ends if idle in', clock(idleLeft), 'idle-countdown')}
      {item('Console', session.state === 'ended' ? 'closed' : LINE_TEXT[lineState], 'line-state')}
      {item('Elapsed', started ? clock((stopped - started) / 1000) : '—')}
      {item('Credits used', credits(meter?.used))}
      {item('Balance', unmetered ? 'unmetered' : credits(meter?.balance))}
      {item('Rate', `${credits(reading?.rate_credits_per_min ?? session.rate_credits_per_min)}/min`)}
      {session.expires_at && session.state !== 'ended' && item('Ends at', new Date(session.expires_at).toLocaleTimeString())}
    </dl>
  );
}
