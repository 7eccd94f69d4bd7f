// A browser session: its status, the cdpUrl to connect to (with Copy), a live view of its page, End, and once it is
// over the artifacts to download; follows the event stream — no polling.
import { useEffect, useState } from 'react';
import type { BrowserArtifact, BrowserSession } from '../../transport/protocol/browser-api.js';
import { api, ApiFailure } from '../api.js';
import { CopyButton } from '../lib/copy-button.js';
import { bytes, clock } from '../lib/format.js';
import { saveFrom } from '../lib/save-file.js';
import { useEvents, useNow } from '../hooks.js';
import { LiveViewPanel } from './live-view-panel.js';

const LIVE = new Set(['queued', 'assigning', 'ready', 'active', 'ending']);
const USABLE = new Set(['ready', 'active']);

const of = (id: string) => `/v1/browsers?${new URLSearchParams({ id })}`;

export function BrowserPage({ id }: { id: string }) {
  const [s, setS] = useState<BrowserSession | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [ending, setEnding] = useState(false);
  const load = async () => {
    try {
      setS(await api<BrowserSession>('GET', of(id)));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiFailure && err.status === 404 ? `There is no browser session ${id} for your account.` : (err as Error).message);
    }
  };
  useEffect(() => void load(), [id]);
  useEvents((type, data) => {
    if (type === 'resync') return void load();
    if ((type === 'state' || type === 'ended') && data.session?.id === id && data.session?.kind === 'browser') setS(data.session as BrowserSession);
  });
  const end = async () => {
    setConfirming(false);
    setEnding(true);
    try {
      setS(await api<BrowserSession>('DELETE', of(id)));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setEnding(false);
    }
  };
  if (error && !s) return <p role="alert" className="error">{error} <a href="#/browsers">Back to browsers</a></p>;
  if (!s) return <p className="muted">Loading the browser session…</p>;
  const live = LIVE.has(s.status);
  return (
    <div className="session">
      <div className="session-head">
        <h1>
          Browser <span className="mono id">{s.id}</span>{' '}
          <span className={`badge ${s.status}`} data-testid="browser-status">
            {s.status}
          </span>
        </h1>
        <div className="actions" role="toolbar" aria-label="Browser controls">
          {confirming ? (
            <>
              <span>End it? The browser closes and its artifacts are written.</span>
              <button type="button" className="danger" onClick={() => void end()}>
                End browser
              </button>
              <button type="button" onClick={() => setConfirming(false)} autoFocus>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="danger" disabled={!live || ending || s.status === 'ending'} onClick={() => setConfirming(true)}>
              {ending ? 'Ending…' : 'End'}
            </button>
          )}
        </div>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <BrowserFacts s={s} />
      {s.cdpUrl && (
        <div className="url-row">
          <label htmlFor="cdp-url">cdpUrl</label>
          <div className="url-field">
            <input id="cdp-url" className="mono" type="text" readOnly value={s.cdpUrl} data-testid="cdp-url" onFocus={(e) => e.target.select()} />
            <CopyButton value={s.cdpUrl} label="Copy cdpUrl" />
          </div>
          <p className="muted hint">
            Playwright: <code>chromium.connectOverCDP(cdpUrl)</code> · Puppeteer: <code>puppeteer.connect(&#123; browserWSEndpoint: cdpUrl &#125;)</code>
          </p>
        </div>
      )}
      {!live && (
        <p className="notice ended" role="status">
          This session is over: {s.endReason ?? s.status}
          {s.error ? ` — ${s.error}` : ''}. <a href="#/browsers">Browsers</a>
        </p>
      )}
      {USABLE.has(s.status) && <LiveViewPanel sessionId={s.id} />}
      {!live && <Artifacts s={s} />}
    </div>
  );
}

function BrowserFacts({ s }: { s: BrowserSession }) {
  const now = useNow();
  const used = s.readyAt && !s.endedAt && USABLE.has(s.status) ? now - Date.parse(s.readyAt) : s.usedMs;
  const item = (label: string, value: string, testid?: string) => (
    <div className="stat">
      <dt>{label}</dt>
      <dd data-testid={testid}>{value}</dd>
    </div>
  );
  return (
    <dl className="status" aria-label="Browser status">
      {item('Status', s.status, 'status-state')}
      {s.queuePosition !== null && item('Place in queue', String(s.queuePosition))}
      {item('Browser time', clock(used / 1000))}
      {s.expiresAt && LIVE.has(s.status) && item('Ends in', clock((Date.parse(s.expiresAt) - now) / 1000))}
      {item('CDP clients', String(s.clients), 'cdp-clients')}
      {item('Chromium', s.browserVersion ?? '—')}
      {item('Recording', s.recording ? 'video' + (s.record.length ? ` + ${s.record.join(', ')}` : '') : s.record.length ? s.record.join(', ') : 'off')}
    </dl>
  );
}

function Artifacts({ s }: { s: BrowserSession }) {
  const [error, setError] = useState<string | null>(null);
  const a = s.artifacts;
  const all = [...a.screenshots, a.har, a.recording, a.consoleLogs].filter((x): x is BrowserArtifact => x !== null);
  const save = (x: BrowserArtifact) => saveFrom(x.url, x.name.split('/').pop()!).catch((err: Error) => setError(err.message));
  return (
    <section className="card" aria-labelledby="artifacts-title">
      <h2 id="artifacts-title">Artifacts</h2>
      {all.length === 0 ? (
        <p className="muted">None: this session recorded nothing (create one with a video, screenshots, a HAR or the console log).</p>
      ) : (
        <ul className="plain" data-testid="artifacts">
          {all.map((x) => (
            <li key={x.name} className="artifact">
              <span className="mono">{x.name}</span> <span className="muted">{bytes(x.bytes)}</span>{' '}
              <button type="button" className="small" onClick={() => void save(x)} aria-label={`Download ${x.name}`}>
                Download
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
