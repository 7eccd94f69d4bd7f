// Builds a HAR 1.2 log from CDP Network events (no bodies): what `record: ["har"]` writes at the end of a session.
import { VERSION } from '../../../shared/version.js';

/** A session that loads more than this keeps the first ones: a HAR is for reading, not for a flood. */
export const MAX_HAR_ENTRIES = 20_000;

type Headers = Record<string, string>;

interface Entry {
  pageref: string;
  requestId: string;
  started: number;
  /** CDP monotonic seconds, for durations. */
  startMono: number;
  endMono: number | null;
  request: { method: string; url: string; headers: Headers; postData?: string };
  response: { status: number; statusText: string; headers: Headers; mimeType: string; protocol: string } | null;
  bodySize: number;
  error: string | null;
}

interface Page {
  id: string;
  title: string;
  started: number;
}

const headerList = (h: Headers) => Object.entries(h).map(([name, value]) => ({ name, value: String(value) }));
const iso = (ms: number) => new Date(ms).toISOString();

function queryString(url: string): { name: string; value: string }[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

export class HarBuilder {
  private readonly entries: Entry[] = [];
  private readonly open = new Map<string, Entry>();
  private readonly pages: Page[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  addPage(id: string, title: string): void {
    this.pages.push({ id, title, started: this.now() });
  }

  /** Feeds one Network.* event of the page `pageref`. */
  onEvent(pageref: string, method: string, p: Record<string, any>): void {
    const key = `${pageref}:${p.requestId}`;
    switch (method) {
      case 'Network.requestWillBeSent': {
        const earlier = this.open.get(key);
        // A redirect reuses the request id: the earlier hop is complete with the redirect response.
        if (earlier && p.redirectResponse) {
          earlier.response = responseOf(p.redirectResponse);
          earlier.endMono = p.timestamp;
        }
        if (this.entries.length >= MAX_HAR_ENTRIES) return;
        const entry: Entry = {
          pageref,
          requestId: p.requestId,
          started: typeof p.wallTime === 'number' ? p.wallTime * 1000 : this.now(),
          startMono: p.timestamp ?? 0,
          endMono: null,
          request: { method: p.request?.method ?? 'GET', url: p.request?.url ?? '', headers: p.request?.headers ?? {}, postData: p.request?.postData },
          response: null,
          bodySize: 0,
          error: null,
        };
        this.entries.push(entry);
        this.open.set(key, entry);
        return;
      }
      case 'Network.responseReceived': {
        const e = this.open.get(key);
        if (e) e.response = responseOf(p.response);
        return;
      }
      case 'Network.loadingFinished':
      case 'Network.loadingFailed': {
        const e = this.open.get(key);
        if (!e) return;
        e.endMono = p.timestamp ?? e.startMono;
        e.bodySize = p.encodedDataLength ?? 0;
        if (method === 'Network.loadingFailed') e.error = p.errorText ?? 'failed';
        this.open.delete(key);
        return;
      }
    }
  }

  toHar(): object {
    return {
      log: {
        version: '1.2',
        creator: { name: 'fbay', version: VERSION },
        pages: this.pages.map((p) => ({
          startedDateTime: iso(p.started),
          id: p.id,
          title: p.title,
          pageTimings: { onContentLoad: -1, onLoad: -1 },
        })),
        entries: this.entries.map((e) => {
          const time = e.endMono === null ? 0 : Math.max(0, (e.endMono - e.startMono) * 1000);
          const r = e.response;
          return {
            pageref: e.pageref,
            startedDateTime: iso(e.started),
            time,
            request: {
              method: e.request.method,
              url: e.request.url,
              httpVersion: r?.protocol ?? 'HTTP/1.1',
              cookies: [],
              headers: headerList(e.request.headers),
              queryString: queryString(e.request.url),
              ...(e.request.postData === undefined
                ? {}
                : { postData: { mimeType: e.request.headers['Content-Type'] ?? '', text: e.request.postData } }),
              headersSize: -1,
              bodySize: e.request.postData === undefined ? 0 : Buffer.byteLength(e.request.postData),
            },
            response: {
              status: r?.status ?? 0,
              statusText: r?.statusText ?? e.error ?? '',
              httpVersion: r?.protocol ?? 'HTTP/1.1',
              cookies: [],
              headers: headerList(r?.headers ?? {}),
              content: { size: e.bodySize, mimeType: r?.mimeType ?? '' },
              redirectURL: r?.headers.location ?? r?.headers.Location ?? '',
              headersSize: -1,
              bodySize: e.bodySize,
              ...(e.error ? { _error: e.error } : {}),
            },
            cache: {},
            timings: { send: 0, wait: time, receive: 0 },
          };
        }),
      },
    };
  }
}

function responseOf(r: Record<string, any> | undefined): Entry['response'] {
  return {
    status: r?.status ?? 0,
    statusText: r?.statusText ?? '',
    headers: r?.headers ?? {},
    mimeType: r?.mimeType ?? '',
    protocol: typeof r?.protocol === 'string' ? r.protocol.toUpperCase() : 'HTTP/1.1',
  };
}
