// The page's side of a browser session's live view: the ticketed WebSocket (…/screencast), each JPEG frame drawn
// on a canvas (createImageBitmap: no blob: URL, so the page's CSP stays as strict), reopened with backoff after a
// drop while the session lives.
import { API } from '../../transport/protocol/paths.js';
import { ticket, wsUrl } from '../api.js';
import { retryDelay } from '../lib/backoff.js';

/** The daemon closes with this when the session's browser is gone (CDP_CLOSE.ended). */
const ENDED = 4000;

export interface LiveViewListener {
  frame(bitmap: ImageBitmap): void;
  page(info: { url: string; title: string }): void;
  state(state: 'connecting' | 'open' | 'reconnecting' | 'closed'): void;
}

export class LiveViewLine {
  #ws: WebSocket | null = null;
  #closed = false;
  #attempt = 0;
  #timer: number | undefined;
  #drawing = false;
  #next: Blob | null = null;
  readonly #path: string;

  constructor(
    sessionId: string,
    private readonly listener: LiveViewListener,
  ) {
    this.#path = API.screencast(encodeURIComponent(sessionId));
  }

  start(): void {
    void this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close(1000, 'page closed');
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(wsUrl(this.#path, { ticket: await ticket(this.#path) }));
    } catch {
      return this.#retry();
    }
    if (this.#closed) return ws.close();
    this.#ws = ws;
    ws.binaryType = 'blob';
    ws.onopen = () => {
      this.#attempt = 0;
      this.listener.state('open');
    };
    ws.onmessage = (e: MessageEvent<Blob | string>) => {
      if (typeof e.data === 'string') {
        try {
          const m = JSON.parse(e.data) as { type?: string; url?: string; title?: string };
          if (m.type === 'page') this.listener.page({ url: m.url ?? '', title: m.title ?? '' });
        } catch {
          // not ours
        }
        return;
      }
      this.#draw(e.data);
    };
    ws.onclose = (e) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (this.#closed || e.code === ENDED) return this.listener.state('closed');
      this.#retry();
    };
  }

  /** Decodes one frame at a time; a frame that comes meanwhile replaces any waiting one. */
  #draw(blob: Blob): void {
    if (this.#drawing) {
      this.#next = blob;
      return;
    }
    this.#drawing = true;
    void createImageBitmap(new Blob([blob], { type: 'image/jpeg' }))
      .then((bitmap) => (this.#closed ? bitmap.close() : this.listener.frame(bitmap)), () => undefined)
      .finally(() => {
        this.#drawing = false;
        const next = this.#next;
        this.#next = null;
        if (next) this.#draw(next);
      });
  }

  #retry(): void {
    if (this.#closed) return;
    this.listener.state('reconnecting');
    this.#timer = window.setTimeout(() => void this.#connect(), retryDelay(this.#attempt++));
  }
}
