// Boards: every board this host offers, live (refetched when an event says something changed — no polling), and
// Start Session on a free one; your own sessions are listed above.
import { useEffect, useRef, useState } from 'react';
import type { Board, BoardList, Session, SessionList } from '../../transport/protocol/api.js';
import { api, ApiFailure, newIdempotencyKey } from '../api.js';
import { takeBooted } from '../boot.js';
import { ago, credits } from '../lib/format.js';
import { useEvents, useLoad, useMounted, useNow } from '../hooks.js';
import { navigate, sessionHref } from '../router.js';

/** Fields newer daemons add to a board (flashing state, power control, when it was last seen). */
type BoardView = Omit<Board, 'state'> & { state: Board['state'] | 'flashing'; power?: unknown; last_seen_at?: string | null };

const STATE_LABEL: Record<string, string> = { available: 'available', reserved: 'reserved', flashing: 'flashing', offline: 'offline' };

export function BoardsPage() {
  const boards = useLoad(() => api<BoardList>('GET', '/v1/boards'), [], () => takeBooted<BoardList>('/v1/boards'));
  const sessions = useLoad(() => api<SessionList>('GET', '/v1/sessions'), [], () => takeBooted<SessionList>('/v1/sessions'));
  const pending = useRef<number | undefined>(undefined);
  // Several events arrive together (state, then meter): one refetch for the lot.
  const refetch = () => {
    window.clearTimeout(pending.current);
    pending.current = window.setTimeout(() => (boards.reload(), sessions.reload()), 50);
  };
  useEffect(() => () => window.clearTimeout(pending.current), []);
  useEvents((type) => {
    if (type === 'state' || type === 'ended' || type === 'boards' || type === 'resync') refetch();
  });
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState<string | null>(null);
  const start = async (board: BoardView) => {
    setStarting(board.id);
    setError(null);
    try {
      const s = await api<Session>('POST', '/v1/sessions', { board_id: board.id }, { 'idempotency-key': newIdempotencyKey() });
      navigate(sessionHref(s.id));
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : String(err));
      setStarting(null);
    }
  };
  const mine = new Map((sessions.value?.sessions ?? []).map((s) => [s.board_id, s]));
  const list = (boards.value?.boards ?? []) as BoardView[];
  return (
    <>
      <h1>Boards</h1>
      <MySessions sessions={sessions.value?.sessions ?? []} />
      {error && <p role="alert" className="error">{error}</p>}
      {boards.error && <p role="alert" className="error">{boards.error.message}</p>}
      {boards.value && list.length === 0 && (
        <p>This host offers no boards. Plug one in, or add one with <code>fbay boards add</code>.</p>
      )}
      <ul className="grid" aria-label="Boards" data-testid="boards">
        {list.map((b) => (
          <BoardCard key={b.id} board={b} mine={mine.get(b.id)} starting={starting === b.id} onStart={() => void start(b)} />
        ))}
      </ul>
    </>
  );
}

function MySessions({ sessions }: { sessions: Session[] }) {
  if (sessions.length === 0) return null;
  return (
    <section aria-label="Your sessions" className="mine">
      {sessions.map((s) => (
        <a key={s.id} className="mine-item" href={sessionHref(s.id)}>
          Your session on <strong>{s.board_id ?? s.board_type}</strong> — {s.state} · open console →
        </a>
      ))}
    </section>
  );
}

function BoardCard({ board: b, mine, starting, onStart }: { board: BoardView; mine: Session | undefined; starting: boolean; onStart: () => void }) {
  useNow(15_000); // "last seen … ago" stays true
  const mounted = useMounted();
  const holder = mine ? 'you' : b.state === 'reserved' || b.state === 'flashing' ? 'in use' : null;
  const seen = b.state === 'offline' ? ago(b.last_seen_at) : b.last_seen_at === undefined ? 'now' : ago(b.last_seen_at);
  return (
    <li className="card board" data-board={b.id} data-state={b.state}>
      <div className="card-head">
        {/* Element Timing: when the first board was painted (bench/dashboard.mjs reads it). */}
        <h2 {...{ elementtiming: "board" }}>{b.name}</h2>
        <span className={`badge ${b.state}`}>{STATE_LABEL[b.state] ?? b.state}</span>
      </div>
      <dl className="facts">
        <dt>Type</dt>
        <dd>{b.type}</dd>
        <dt>Held by</dt>
        <dd>{holder ?? '—'}</dd>
        <dt>Rate</dt>
        <dd>{credits(b.rate_credits_per_min)} credits/min</dd>
        <dt>Last seen</dt>
        <dd>{seen}</dd>
        <dt>Power control</dt>
        <dd>{b.power ? 'yes' : 'no'}</dd>
        <dt>Port</dt>
        <dd className="mono">{b.serial.path}</dd>
      </dl>
      <div className="card-actions">
        {mine ? (
          <a className="button" href={sessionHref(mine.id)}>
            Open console
          </a>
        ) : (
          <button type="button" onClick={onStart} disabled={!mounted || b.state !== 'available' || starting} aria-label={`Start session on ${b.name}`}>
            {starting ? 'Starting…' : 'Start Session'}
          </button>
        )}
      </div>
    </li>
  );
}
