// The daemon's event stream (GET /v1/events over EventSource, opened with a ticket), reopened with backoff when it
// drops; tells the page when the daemon went away and when it came back, and whether it was a restart.
import { api, ticket } from './api.js';
import { retryDelay } from './lib/backoff.js';

/** Named SSE events the page listens to; `boards` (hotplug) and `flash` are sent by newer daemons. */
const EVENT_TYPES = ['state', 'ended', 'warning', 'meter', 'boards', 'flash'] as const;
export type HubEventType = (typeof EVENT_TYPES)[number] | 'resync';

export interface LinkState {
  state: 'connecting' | 'open' | 'lost';
  /** Set when the link came back to a daemon with another pid. */
  restarted: boolean;
  /** When the link was lost (ms), for "reconnecting for 12 s". */
  lostAt: number | null;
}

type Listener = (type: HubEventType, data: any) => void;

export class EventHub {
  readonly #listeners = new Set<Listener>();
  readonly #linkListeners = new Set<(link: LinkState) => void>();
  #source: EventSource | null = null;
  #attempt = 0;
  #pid: number | null = null;
  #timer: number | undefined;
  #link: LinkState = { state: 'connecting', restarted: false, lostAt: null };
  #stopped = false;

  get link(): LinkState {
    return this.#link;
  }

  start(): void {
    void this.#open();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#source?.close();
  }

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onLink(listener: (link: LinkState) => void): () => void {
    this.#linkListeners.add(listener);
    return () => this.#linkListeners.delete(listener);
  }

  async #open(): Promise<void> {
    if (this.#stopped) return;
    try {
      const [{ pid }, t] = await Promise.all([api<{ pid?: number }>('GET', '/v1/health'), ticket('/v1/events')]);
      const source = new EventSource(`/v1/events?${new URLSearchParams({ ticket: t })}`);
      this.#source = source;
      for (const type of EVENT_TYPES) source.addEventListener(type, (e) => this.#emit(type, JSON.parse((e as MessageEvent<string>).data)));
      source.onopen = () => {
        const restarted = this.#pid !== null && pid !== undefined && pid !== this.#pid;
        const wasLost = this.#link.state === 'lost';
        if (pid !== undefined) this.#pid = pid;
        this.#attempt = 0;
        this.#setLink({ state: 'open', restarted, lostAt: null });
        // Events sent while the stream was down are not replayed: every page refetches what it shows.
        if (wasLost) this.#emit('resync', { restarted });
      };
      // The ticket is used up: EventSource's own retry would be refused, so every drop goes through #retry.
      source.onerror = () => {
        source.close();
        if (this.#source === source) this.#retry();
      };
    } catch {
      this.#retry();
    }
  }

  #retry(): void {
    if (this.#stopped) return;
    this.#source = null;
    if (this.#link.state !== 'lost') this.#setLink({ state: 'lost', restarted: false, lostAt: Date.now() });
    this.#timer = window.setTimeout(() => void this.#open(), retryDelay(this.#attempt++));
  }

  #emit(type: HubEventType, data: unknown): void {
    for (const l of this.#listeners) l(type, data);
  }

  #setLink(link: LinkState): void {
    this.#link = link;
    for (const l of this.#linkListeners) l(link);
  }
}
