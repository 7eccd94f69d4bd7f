// What the browsers and sandboxes list pages share: their sessions, loaded and reloaded as that kind's sessions
// change (or the event stream resyncs), and a create that opens the new session's page or says why it could not.
import { useState } from 'react';
import { api, ApiFailure, newIdempotencyKey } from './api.js';
import { useEvents, useLoad, type Loaded } from './hooks.js';
import { navigate } from './router.js';

export function useKindList<T>(path: string, kind: 'browser' | 'sandbox'): Loaded<T> {
  const list = useLoad(() => api<T>('GET', path), []);
  useEvents((type, data) => {
    if (type === 'resync' || ((type === 'state' || type === 'ended') && data.session?.kind === kind)) list.reload();
  });
  return list;
}

export interface Creating {
  creating: boolean;
  error: string | null;
  create(body: unknown): Promise<void>;
}

/** POSTs `body` to `path` with a fresh Idempotency-Key, then opens `href(the new session's id)`. */
export function useCreate(path: string, href: (id: string) => string): Creating {
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const create = async (body: unknown) => {
    setCreating(true);
    setError(null);
    try {
      const s = await api<{ id: string }>('POST', path, body, { 'idempotency-key': newIdempotencyKey() });
      navigate(href(s.id));
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : String(err));
      setCreating(false);
    }
  };
  return { creating, error, create };
}
