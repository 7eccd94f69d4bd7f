// The owner's host page: the daemon's status and listeners, the remote hosts it mirrors, and its log's tail.
import type { Health } from '../../transport/protocol/api.js';
import { api } from '../api.js';
import { clock } from '../lib/format.js';
import { useEvents, useLoad } from '../hooks.js';

interface Remote {
  name: string;
  url: string;
  default: boolean;
}

export function HostPage() {
  const health = useLoad(() => api<Health>('GET', '/v1/health'), []);
  const remotes = useLoad(() => api<{ remotes: Remote[] }>('GET', '/v1/remotes'), []);
  const log = useLoad(() => api<{ file: string; text: string }>('GET', '/v1/daemon/log?lines=200'), []);
  useEvents((type) => {
    if (type === 'resync') (health.reload(), remotes.reload(), log.reload());
  });
  const h = health.value;
  return (
    <>
      <h1>Host</h1>
      <div className="cards">
        <section className="card" aria-labelledby="daemon">
          <h2 id="daemon">Daemon</h2>
          {health.error && <p className="error">{health.error.message}</p>}
          {h && (
            <dl className="facts">
              <dt>Version</dt>
              <dd>{h.version}</dd>
              <dt>PID</dt>
              <dd data-testid="daemon-pid">{h.pid}</dd>
              <dt>Up for</dt>
              <dd>{clock(h.uptime_s)}</dd>
              <dt>Socket</dt>
              <dd className="mono">{h.socket}</dd>
            </dl>
          )}
        </section>
        <section className="card" aria-labelledby="listeners">
          <h2 id="listeners">Listeners</h2>
          <ul className="plain mono">{h?.listeners.map((l) => <li key={l}>{l}</li>)}</ul>
        </section>
        <section className="card" aria-labelledby="remotes">
          <h2 id="remotes">Remote hosts</h2>
          {remotes.value?.remotes.length === 0 && <p className="muted">None. Add one with <code>fbay remote add NAME URL --key K</code>.</p>}
          <ul className="plain">
            {remotes.value?.remotes.map((r) => (
              <li key={r.name}>
                <strong>{r.name}</strong> <span className="mono">{r.url}</span> {r.default && <span className="badge">default</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="log">
        <div className="card-head">
          <h2 id="log">Daemon log</h2>
          <button type="button" className="small" onClick={log.reload}>
            Refresh
          </button>
        </div>
        <p className="muted mono">{log.value?.file}</p>
        <pre className="log" tabIndex={0} aria-label="The last 200 lines of the daemon log">
          {log.value?.text || (log.error ? log.error.message : 'The log is empty.')}
        </pre>
      </section>
    </>
  );
}
