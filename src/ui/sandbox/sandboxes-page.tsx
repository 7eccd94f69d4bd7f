// Sandboxes: your live sandboxes, and a new one (with its TTL); follows the event stream.
import { useState } from 'react';
import type { SandboxSession } from '../../transport/protocol/sandbox-api.js';
import { clock } from '../lib/format.js';
import { useNow } from '../hooks.js';
import { sandboxHref } from '../router.js';
import { useCreate, useKindList } from '../session-list.js';

const TTLS: Array<[number, string]> = [
  [600, '10 minutes'],
  [3600, '1 hour'],
  [86_400, '24 hours'],
];

export function SandboxesPage() {
  const list = useKindList<{ sessions: SandboxSession[] }>('/v1/sessions?kind=sandbox', 'sandbox');
  const [ttl, setTtl] = useState(3600);
  const { creating, error, create } = useCreate('/v1/sessions', sandboxHref);
  const sessions = list.value?.sessions ?? [];
  return (
    <>
      <h1>Sandboxes</h1>
      <form
        className="card create-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create({ kind: 'sandbox', ttl });
        }}
      >
        <p>An isolated runtime (Bun) with its own /workspace, processes and network, for running code.</p>
        <div className="create-row">
          <label>
            Lives for{' '}
            <select value={ttl} onChange={(e) => setTtl(Number(e.target.value))}>
              {TTLS.map(([s, label]) => (
                <option key={s} value={s}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={creating}>
            {creating ? 'Creating…' : 'New sandbox'}
          </button>
        </div>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
      {list.error && <p role="alert" className="error">{list.error.message}</p>}
      {list.value && sessions.length === 0 && <p className="muted">No live sandboxes.</p>}
      <ul className="grid" aria-label="Your sandboxes">
        {sessions.map((s) => (
          <SandboxCard key={s.id} s={s} />
        ))}
      </ul>
    </>
  );
}

function SandboxCard({ s }: { s: SandboxSession }) {
  const now = useNow();
  return (
    <li className="card" data-sandbox={s.id}>
      <div className="card-head">
        <h2 className="mono id">{s.id}</h2>
        <span className={`badge ${s.state}`}>{s.state.replace('_', ' ')}</span>
      </div>
      <dl className="facts">
        <dt>TTL left</dt>
        <dd>{clock((Date.parse(s.expires_at) - now) / 1000)}</dd>
        <dt>Isolation</dt>
        <dd>{s.isolation?.level ?? '—'}</dd>
      </dl>
      <div className="card-actions">
        <a className="button" href={sandboxHref(s.id)}>
          Open
        </a>
      </div>
    </li>
  );
}
