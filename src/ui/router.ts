// Hash routes (#/boards, #/sessions/ID, #/sandboxes[/ID], #/browsers[/ID], #/account, #/host): the server serves one
// page, reloads keep the place.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'boards' }
  | { page: 'session'; id: string }
  | { page: 'sandboxes' }
  | { page: 'sandbox'; id: string }
  | { page: 'browsers' }
  | { page: 'browser'; id: string }
  | { page: 'account' }
  | { page: 'host' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const id = parts[1] ? decodeURIComponent(parts[1]) : null;
  if (parts[0] === 'sessions' && id) return { page: 'session', id };
  if (parts[0] === 'sandboxes') return id ? { page: 'sandbox', id } : { page: 'sandboxes' };
  if (parts[0] === 'browsers') return id ? { page: 'browser', id } : { page: 'browsers' };
  if (parts[0] === 'account') return { page: 'account' };
  if (parts[0] === 'host') return { page: 'host' };
  return { page: 'boards' };
}

export const sessionHref = (id: string) => `#/sessions/${encodeURIComponent(id)}`;
export const sandboxHref = (id: string) => `#/sandboxes/${encodeURIComponent(id)}`;
export const browserHref = (id: string) => `#/browsers/${encodeURIComponent(id)}`;

export function navigate(href: string): void {
  location.hash = href.replace(/^#/, '');
}

export function useRoute(): Route {
  // The daemon renders the boards page (no location there).
  const [route, setRoute] = useState(() => parseRoute(typeof location === 'undefined' ? '' : location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
