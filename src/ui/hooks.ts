// Small React hooks shared by the pages: the event hub, the link banner, a ticking clock, a loaded resource.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { EventHub, HubEventType, LinkState } from './events.js';
import type { Me } from './api.js';

export const HubContext = createContext<EventHub | null>(null);
export const MeContext = createContext<Me | null>(null);

export function useHub(): EventHub {
  return useContext(HubContext)!;
}

export function useMe(): Me {
  return useContext(MeContext)!;
}

/** Calls `listener` for every event from the daemon while mounted. */
export function useEvents(listener: (type: HubEventType, data: any) => void): void {
  const hub = useHub();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => hub.on((type, data) => ref.current(type, data)), [hub]);
}

export function useLink(): LinkState {
  const hub = useHub();
  const [link, setLink] = useState(hub.link);
  useEffect(() => hub.onLink(setLink), [hub]);
  return link;
}

/** The time now, updated every `ms` while mounted (for countdowns; the daemon is not asked). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

/**
 * False until mounted: in the page the daemon drew (whose buttons do nothing yet) and in the app's first render, which
 * draws the same; true from then on. What only works once the app runs is disabled until then.
 */
export function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

export interface Loaded<T> {
  value: T | null;
  error: Error | null;
  reload: () => void;
}

/**
 * Runs `load` now and on reload(); keeps the last value while a reload runs. `initial`, when it gives a value (data
 * the page came with), is shown from the first render while the load runs.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], initial?: () => T | null): Loaded<T> {
  const [value, setValue] = useState<T | null>(() => initial?.() ?? null);
  const [error, setError] = useState<Error | null>(null);
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && (setValue(v), setError(null)),
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  return { value, error, reload };
}
