// The dashboard shell: who is logged in, the navigation, the daemon link banner, and the page of the current route.
import { lazy, Suspense, useEffect, useMemo, useState, type JSX } from 'react';
import { getMe, type Me } from './api.js';
import { EventHub } from './events.js';
import { HubContext, MeContext, useLink, useNow } from './hooks.js';
import { useRoute, type Route } from './router.js';
import { BoardsPage } from './pages/boards.js';
import { AccountPage } from './pages/account.js';
import { HostPage } from './pages/host.js';
import { LoginPage } from './pages/login.js';

// xterm.js is most of the code: loaded when a console is opened, so the boards show without it. The sandbox and
// browser pages are loaded when opened too.
const SessionPage = lazy(() => import('./pages/session.js').then((m) => ({ default: m.SessionPage })));
const SandboxesPage = lazy(() => import('./sandbox/sandboxes-page.js').then((m) => ({ default: m.SandboxesPage })));
const SandboxPage = lazy(() => import('./sandbox/sandbox-page.js').then((m) => ({ default: m.SandboxPage })));
const BrowsersPage = lazy(() => import('./browser/browsers-page.js').then((m) => ({ default: m.BrowsersPage })));
const BrowserPage = lazy(() => import('./browser/browser-page.js').then((m) => ({ default: m.BrowserPage })));

/** `first`: who is logged in, being asked; `known`: already known (the page came with it), so no "Loading…" first. */
export function App({ first, known = null }: { first: Promise<Me>; known?: Me | null }) {
  const [me, setMe] = useState<Me | null>(known);
  const [failed, setFailed] = useState<string | null>(null);
  const show = (p: Promise<Me>) => p.then(setMe, (e: Error) => setFailed(e.message));
  const refresh = () => show(getMe());
  useEffect(() => void show(first), [first]);
  if (failed) return <main className="page narrow"><h1>fbay</h1><p role="alert">{failed}</p></main>;
  if (!me) return <main className="page narrow" aria-busy="true"><p className="muted">Loading…</p></main>;
  if (!me.logged_in) return <LoginPage me={me} onLogin={refresh} />;
  return <LoggedIn me={me} />;
}

function LoggedIn({ me }: { me: Me }) {
  const hub = useMemo(() => new EventHub(), []);
  useEffect(() => {
    hub.start();
    return () => hub.stop();
  }, [hub]);
  const route = useRoute();
  return (
    <HubContext.Provider value={hub}>
      <MeContext.Provider value={me}>
        <Header route={route} me={me} />
        <LinkBanner />
        <main className="page" id="main">
          <Page route={route} me={me} />
        </main>
      </MeContext.Provider>
    </HubContext.Provider>
  );
}

function Page({ route, me }: { route: Route; me: Me }) {
  const later = (page: JSX.Element, what = 'Loading…') => <Suspense fallback={<p className="muted">{what}</p>}>{page}</Suspense>;
  switch (route.page) {
    case 'session':
      return later(<SessionPage key={route.id} id={route.id} />, 'Loading the console…');
    case 'sandboxes':
      return later(<SandboxesPage />);
    case 'sandbox':
      return later(<SandboxPage key={route.id} id={route.id} />);
    case 'browsers':
      return later(<BrowsersPage />);
    case 'browser':
      return later(<BrowserPage key={route.id} id={route.id} />);
    case 'account':
      return <AccountPage />;
    case 'host':
      return me.owner ? <HostPage /> : <p>Only the machine's owner sees the host page.</p>;
    default:
      return <BoardsPage />;
  }
}

function Header({ route, me }: { route: Route; me: Me }) {
  const link = (href: string, label: string, active: boolean) => (
    <a href={href} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <header className="top">
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <span className="brand">fbay</span>
      <nav aria-label="Main">
        {link('#/boards', 'Boards', route.page === 'boards' || route.page === 'session')}
        {link('#/sandboxes', 'Sandboxes', route.page === 'sandboxes' || route.page === 'sandbox')}
        {link('#/browsers', 'Browsers', route.page === 'browsers' || route.page === 'browser')}
        {link('#/account', 'Account', route.page === 'account')}
        {me.owner && link('#/host', 'Host', route.page === 'host')}
      </nav>
      <span className="who" title={`logged in until ${me.expires_at ? new Date(me.expires_at).toLocaleString() : '?'}`}>
        {me.owner ? 'owner' : me.account}
      </span>
    </header>
  );
}

/** Says when the daemon is away and when it is back (and whether it restarted); reconnecting is automatic. */
function LinkBanner() {
  const link = useLink();
  const now = useNow();
  const [shownRestart, setShownRestart] = useState<number | null>(null);
  useEffect(() => {
    if (link.state === 'open' && link.restarted) setShownRestart(Date.now());
  }, [link]);
  if (link.state === 'lost') {
    const s = link.lostAt ? Math.round((now - link.lostAt) / 1000) : 0;
    return (
      <div className="banner warn" role="status" data-testid="link-banner">
        Lost contact with the fbay daemon{s > 2 ? ` ${s} s ago` : ''} — it may be restarting. Reconnecting…
      </div>
    );
  }
  if (shownRestart !== null && now - shownRestart < 10_000) {
    return (
      <div className="banner ok" role="status" data-testid="link-banner">
        The fbay daemon restarted; the dashboard reconnected.
      </div>
    );
  }
  return null;
}
