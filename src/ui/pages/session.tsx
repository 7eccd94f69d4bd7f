// A board session: its status bar, Reset / Bootloader / End Session, and the serial console; follows the session's
// events (state, warnings, meter) and says when the board is unplugged or the session has ended.
import { useEffect, useRef, useState } from 'react';
import type { Account, Session } from '../../transport/protocol/api.js';
import type { MeterEvent, WarningEvent } from '../../transport/protocol/events.js';
import type { ServerMessage } from '../../transport/protocol/ws-messages.js';
import { api, ApiFailure } from '../api.js';
import { ConsolePanel } from '../console/console-panel.js';
import type { LineState } from '../console/serial-line.js';
import { fromSession, type Reading } from '../lib/meter.js';
import { useEvents } from '../hooks.js';
import { StatusBar } from './session-status.js';
import { EndDialog } from './end-dialog.js';
import { FlashPanel } from '../flash/flash-panel.js';
import { endReasonText } from './end-reasons.js';

const ATTACHABLE = new Set(['idle', 'active', 'flashing']);

export function SessionPage({ id }: { id: string }) {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reading, setReading] = useState<Reading | null>(null);
  const [warning, setWarning] = useState<WarningEvent | null>(null);
  const [lineState, setLineState] = useState<LineState>('connecting');
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [flashOpen, setFlashOpen] = useState(false);
  const balance = useRef<number | null>(null);

  const load = async () => {
    try {
      const [s, me] = await Promise.all([api<Session>('GET', `/v1/sessions/${encodeURIComponent(id)}`), api<Account>('GET', '/v1/auth/me')]);
      balance.current = me.balance_credits;
      setSession(s);
      setReading(fromSession(s, me.balance_credits));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiFailure && err.status === 404 ? `There is no session ${id} for your account.` : (err as Error).message);
    }
  };
  useEffect(() => void load(), [id]);

  const update = (s: Session) => {
    setSession(s);
    setReading((r) => (r ? { ...r, credits_used: s.credits_used, rate_credits_per_min: s.rate_credits_per_min, at: Date.now() } : fromSession(s, balance.current)));
  };
  useEvents((type, data) => {
    if (type === 'resync') return void load();
    if (type === 'state' && data.session?.id === id) update(data.session as Session);
    if (type === 'ended' && data.session_id === id) update(data.session as Session);
    if (type === 'warning' && data.session_id === id) setWarning(data as WarningEvent);
    if (type === 'meter' && data.session_id === id) {
      const m = data as MeterEvent;
      balance.current = m.balance_credits;
      setReading({ credits_used: m.credits_used, balance_credits: m.balance_credits, rate_credits_per_min: m.rate_credits_per_min, at: Date.parse(m.at) });
    }
  });
  const onMessage = (m: ServerMessage) => {
    if (m.type === 'state') {
      const { type: _t, ...s } = m;
      update(s as Session);
    } else if (m.type === 'ended') update(m.session);
    else if (m.type === 'warning') setWarning({ type: 'warning', session_id: id, kind: m.kind, at: m.at, seconds_left: m.seconds_left });
    else if (m.type === 'error') setNotice(m.error);
  };

  const act = async (label: string, run: () => Promise<unknown>) => {
    setBusy(label);
    setNotice(null);
    try {
      await run();
    } catch (err) {
      setNotice((err as Error).message);
    } finally {
      setBusy(null);
    }
  };
  const reset = (mode: 'hard' | 'bootloader') =>
    act(mode, async () => {
      await api('POST', `/v1/sessions/${encodeURIComponent(id)}/reset`, { mode });
      setNotice(mode === 'hard' ? 'The board was reset.' : 'The board is in its bootloader (download mode).');
    });
  const end = () => act('end', async () => update(await api<Session>('DELETE', `/v1/sessions/${encodeURIComponent(id)}`)));

  if (error) return <p role="alert" className="error">{error} <a href="#/boards">Back to boards</a></p>;
  if (!session) return <p className="muted">Loading the session…</p>;
  const ended = session.state === 'ended';
  return (
    <div className="session">
      <div className="session-head">
        <h1>
          {session.board_id ?? session.board_type} <span className={`badge ${session.state}`} data-testid="session-state">{session.state}</span>
        </h1>
        <div className="actions" role="toolbar" aria-label="Board controls">
          <button type="button" disabled={ended || busy !== null || !ATTACHABLE.has(session.state)} onClick={() => void reset('hard')}>
            Reset
          </button>
          <button type="button" disabled={ended || busy !== null || !ATTACHABLE.has(session.state)} onClick={() => void reset('bootloader')}>
            Bootloader
          </button>
          <button type="button" aria-expanded={flashOpen} aria-controls="flash-panel" disabled={ended} onClick={() => setFlashOpen((o) => !o)}>
            Flash
          </button>
          <button type="button" className="danger" disabled={ended || busy !== null} onClick={() => setConfirming(true)}>
            End Session
          </button>
        </div>
      </div>
      <StatusBar session={session} reading={reading} lineState={lineState} />
      <Notices session={session} warning={warning} notice={notice} />
      {!ended && (
        <FlashPanel
          sessionId={id}
          boardId={session.board_id}
          usable={session.state === 'idle' || session.state === 'active'}
          flashing={session.state === 'flashing'}
          open={flashOpen}
          onClose={() => setFlashOpen(false)}
        />
      )}
      <ConsolePanel sessionId={id} attachable={ATTACHABLE.has(session.state)} onMessage={onMessage} onLineState={setLineState} />
      {confirming && (
        <EndDialog
          session={session}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void end();
          }}
        />
      )}
    </div>
  );
}

function Notices({ session, warning, notice }: { session: Session; warning: WarningEvent | null; notice: string | null }) {
  const items: { kind: string; text: string }[] = [];
  if (session.state === 'ended') items.push({ kind: 'ended', text: `This session has ended: ${endReasonText(session.end_reason)} Start a new one from the boards page.` });
  else if (session.board_missing_since) {
    const until = session.grace_deadline ? ` It ends (board_lost) unless the board is back by ${new Date(session.grace_deadline).toLocaleTimeString()}.` : '';
    items.push({ kind: 'warn', text: `The board is disconnected (since ${new Date(session.board_missing_since).toLocaleTimeString()}).${until}` });
  }
  if (warning && session.state !== 'ended' && Date.parse(warning.at) > Date.now()) {
    const what = { idle_warning: 'The session ends for being idle', credits_low: 'Your credits run out', duration_warning: 'The session reaches its time cap', quota_low: 'The monthly browser hours run out' }[warning.kind];
    items.push({ kind: 'warn', text: `${what} in about ${warning.seconds_left} s.` });
  }
  if (notice) items.push({ kind: 'info', text: notice });
  if (items.length === 0) return null;
  return (
    <div className="notices" role="status" aria-live="polite" data-testid="session-notices">
      {items.map((n, i) => (
        <p key={i} className={`notice ${n.kind}`}>
          {n.text} {n.kind === 'ended' && <a href="#/boards">Boards</a>}
        </p>
      ))}
    </div>
  );
}
