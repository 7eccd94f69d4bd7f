// A sandbox session: its state and TTL left, its URL, a terminal that runs commands with streamed output, its files,
// and End; follows the event stream (state changes, the end) — no polling.
import { useEffect, useState, type ReactNode } from 'react';
import type { SandboxSession } from '../../transport/protocol/sandbox-api.js';
import { api, ApiFailure } from '../api.js';
import { CopyButton } from '../lib/copy-button.js';
import { clock, credits } from '../lib/format.js';
import { useEvents, useNow } from '../hooks.js';
import { SandboxTerminal } from './sandbox-terminal.js';
import { FileBrowser } from './file-browser.js';

const OVER = new Set(['expired', 'ended', 'failed']);

const STATE_TEXT: Record<string, string> = {
  creating: 'Starting…',
  active: 'Running.',
  idle: 'Idle: its processes are frozen and billed at the reduced rate; any request wakes it.',
  deep_sleep: 'Asleep: its processes have ended, its files are kept; any request wakes it.',
  waking: 'Waking up…',
};

export function SandboxPage({ id }: { id: string }) {
  const [s, setS] = useState<SandboxSession | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  const load = async () => {
    try {
      setS(await api<SandboxSession>('GET', `/v1/sessions/${encodeURIComponent(id)}`));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiFailure && err.status === 404 ? `There is no sandbox ${id} for your account.` : (err as Error).message);
    }
  };
  useEffect(() => void load(), [id]);
  useEvents((type, data) => {
    if (type === 'resync') return void load();
    if ((type === 'state' || type === 'ended') && (data.session?.id === id || data.session_id === id) && data.session?.kind === 'sandbox') setS(data.session as SandboxSession);
  });
  const end = async () => {
    try {
      setS(await api<SandboxSession>('DELETE', `/v1/sessions/${encodeURIComponent(id)}`));
    } catch (err) {
      setError((err as Error).message);
    }
    setEnding(false);
  };
  if (error && !s) return <p role="alert" className="error">{error} <a href="#/sandboxes">Back to sandboxes</a></p>;
  if (!s) return <p className="muted">Loading the sandbox…</p>;
  const over = OVER.has(s.state);
  return (
    <div className="session">
      <div className="session-head">
        <h1>
          Sandbox <span className="mono id">{s.id}</span>{' '}
          <span className={`badge ${s.state}`} data-testid="sandbox-state">
            {s.state.replace('_', ' ')}
          </span>
        </h1>
        <div className="actions" role="toolbar" aria-label="Sandbox controls">
          {ending ? (
            <>
              <span>End it? Its processes and files go.</span>
              <button type="button" className="danger" onClick={() => void end()}>
                End sandbox
              </button>
              <button type="button" onClick={() => setEnding(false)} autoFocus>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="danger" disabled={over} onClick={() => setEnding(true)}>
              End
            </button>
          )}
        </div>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <SandboxFacts s={s} />
      {over ? (
        <p className="notice ended" role="status">
          This sandbox is over ({s.state}{s.end_reason ? `: ${s.end_reason}` : ''}{s.failure_reason ? ` — ${s.failure_reason}` : ''}): its processes and files are gone.{' '}
          <a href="#/sandboxes">Sandboxes</a>
        </p>
      ) : (
        <p className="muted state-text">{STATE_TEXT[s.state] ?? s.state}</p>
      )}
      <div className="sandbox-grid">
        <SandboxTerminal sessionId={s.id} usable={!over} />
        <FileBrowser sessionId={s.id} usable={!over} />
      </div>
    </div>
  );
}

function SandboxFacts({ s }: { s: SandboxSession }) {
  const now = useNow();
  const left = (Date.parse(s.expires_at) - now) / 1000;
  const item = (label: string, value: ReactNode, testid?: string) => (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testid}>{value}</dd>
    </div>
  );
  return (
    <>
      <dl className="status" aria-label="Sandbox status">
        {item('State', s.state.replace('_', ' '), 'status-state')}
        {item('TTL left', OVER.has(s.state) ? '—' : clock(left), 'ttl-left')}
        {item('Expires', new Date(s.expires_at).toLocaleString())}
        {item('Credits used', credits(s.credits_used))}
        {item('Rate', `${credits(s.rate_credits_per_min)}/min`)}
        {item('Limits', `${s.limits.memory_mb} MB · ${s.limits.cpu} CPU · ${s.limits.disk_mb} MB disk`)}
        {item('Isolation', s.isolation ? s.isolation.level : '—')}
      </dl>
      {s.url && (
        <div className="url-row">
          <label htmlFor="sandbox-url">URL</label>
          <div className="url-field">
            <input id="sandbox-url" className="mono" type="text" readOnly value={s.url} data-testid="sandbox-url" onFocus={(e) => e.target.select()} />
            <CopyButton value={s.url} label="Copy the sandbox URL" />
            <a className="button small-button" href={s.url} target="_blank" rel="noopener noreferrer">
              Open
            </a>
          </div>
          <p className="muted hint">Its web app: what listens on port 3000 inside. The link carries the sandbox's own token; share it with care.</p>
        </div>
      )}
    </>
  );
}
