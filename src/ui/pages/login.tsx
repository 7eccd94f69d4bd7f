// Not logged in: on loopback, how to get a link (`fbay ui`); on a --listen host, a form that takes an API key.
import { useState, type FormEvent } from 'react';
import { ApiFailure, api, csrf, type Me } from '../api.js';

export function LoginPage({ me, onLogin }: { me: Me; onLogin: () => void }) {
  const expired = /expired/.test(me.why ?? '');
  if (me.login === 'token') {
    return (
      <main className="page narrow">
        <h1>fbay dashboard</h1>
        <p>{expired ? 'Your dashboard login has expired (logins last 12 hours).' : 'You are not logged in.'}</p>
        <p>
          Run <code>fbay ui</code> in a terminal on this machine: it prints a login link and opens it in your browser.
        </p>
      </main>
    );
  }
  return <KeyForm expired={expired} onLogin={onLogin} />;
}

function KeyForm({ expired, onLogin }: { expired: boolean; onLogin: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ csrf: string }>('POST', '/ui/login', { key });
      csrf.set(r.csrf);
      onLogin();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="page narrow">
      <h1>fbay dashboard</h1>
      {expired && <p>Your dashboard login has expired (logins last 12 hours). Log in again.</p>}
      <form onSubmit={submit} className="login">
        <label htmlFor="key">API key</label>
        <input id="key" type="password" autoComplete="off" spellCheck={false} placeholder="key_…" value={key} onChange={(e) => setKey(e.target.value)} required />
        <button type="submit" disabled={busy}>
          Log in
        </button>
        {error && <p role="alert" className="error">{error}</p>}
        <p className="muted">The host's owner makes keys with <code>fbay keys create NAME</code>. The key is traded for a cookie; it is not kept by the page.</p>
      </form>
    </main>
  );
}
