// Browsers: your browser sessions (live first, then the recently ended with their artifacts), the plan's use this
// month, and a new one with what it should record.
import { useState } from 'react';
import type { BrowserList, CreateBrowserRequest } from '../../transport/protocol/browser-api.js';
import { ago } from '../lib/format.js';
import { browserHref } from '../router.js';
import { useCreate, useKindList } from '../session-list.js';

const SHOWN_ENDED = 10;
const DURATIONS: Array<[number, string]> = [
  [10 * 60_000, '10 minutes'],
  [30 * 60_000, '30 minutes'],
  [60 * 60_000, '1 hour'],
];

export function BrowsersPage() {
  const list = useKindList<BrowserList>('/v1/browsers?all=1', 'browser');
  const [req, setReq] = useState<Required<Pick<CreateBrowserRequest, 'maxDurationMs' | 'recording' | 'record'>>>({ maxDurationMs: 30 * 60_000, recording: false, record: [] });
  const { creating, error, create } = useCreate('/v1/browsers', browserHref);
  const toggle = (kind: 'screenshots' | 'har' | 'consoleLogs', on: boolean) => setReq({ ...req, record: on ? [...req.record, kind] : req.record.filter((k) => k !== kind) });
  const sessions = list.value?.browsers ?? [];
  const live = sessions.filter((s) => !['ended', 'failed'].includes(s.status));
  const over = sessions.filter((s) => ['ended', 'failed'].includes(s.status)).sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? '')).slice(0, SHOWN_ENDED);
  const plan = list.value?.plan;
  return (
    <>
      <h1>Browsers</h1>
      <form
        className="card create-form"
        onSubmit={(e) => {
          e.preventDefault();
          void create(req);
        }}
      >
        <p>
          A headless Chromium of your own, driven through its cdpUrl by Playwright or Puppeteer.
          {plan && ` ${plan.plan} plan: ${plan.maxConcurrent} at once, ${plan.usedHours} of ${plan.monthlyHours ?? '∞'} hours used this month.`}
        </p>
        <div className="create-row">
          <label>
            Ends after{' '}
            <select value={req.maxDurationMs} onChange={(e) => setReq({ ...req, maxDurationMs: Number(e.target.value) })}>
              {DURATIONS.map(([ms, label]) => (
                <option key={ms} value={ms}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={req.recording} onChange={(e) => setReq({ ...req, recording: e.target.checked })} /> Video
          </label>
          <label>
            <input type="checkbox" checked={req.record.includes('screenshots')} onChange={(e) => toggle('screenshots', e.target.checked)} /> Screenshots
          </label>
          <label>
            <input type="checkbox" checked={req.record.includes('har')} onChange={(e) => toggle('har', e.target.checked)} /> HAR
          </label>
          <label>
            <input type="checkbox" checked={req.record.includes('consoleLogs')} onChange={(e) => toggle('consoleLogs', e.target.checked)} /> Console log
          </label>
          <button type="submit" disabled={creating}>
            {creating ? 'Creating…' : 'New browser'}
          </button>
        </div>
        {error && <p role="alert" className="error">{error}</p>}
      </form>
      {list.error && <p role="alert" className="error">{list.error.message}</p>}
      {list.value && live.length === 0 && <p className="muted">No live browser sessions.</p>}
      <ul className="grid" aria-label="Your browser sessions">
        {[...live, ...over].map((s) => (
          <li key={s.id} className="card" data-browser={s.id}>
            <div className="card-head">
              <h2 className="mono id">{s.id}</h2>
              <span className={`badge ${s.status}`}>{s.status}</span>
            </div>
            <dl className="facts">
              <dt>Created</dt>
              <dd>{ago(s.createdAt)}</dd>
              <dt>{s.endedAt ? 'Ended' : 'Clients'}</dt>
              <dd>{s.endedAt ? `${ago(s.endedAt)} (${s.endReason ?? s.status})` : s.clients}</dd>
            </dl>
            <div className="card-actions">
              <a className="button" href={browserHref(s.id)}>
                Open
              </a>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
