// Test helper: a flash upload as `fbay flash` sends it (octet-stream + fbay-flash-images), and an SSE recorder.
import { request } from 'node:http';
import type { ApiResponse } from './daemon-process.js';

export interface UploadImage {
  name: string;
  data: Buffer;
  offset: number | null;
}

export function flashHeaders(images: readonly UploadImage[]): Record<string, string> {
  return {
    'content-type': 'application/octet-stream',
    'fbay-flash-images': JSON.stringify(images.map((i) => ({ name: i.name, size: i.data.length, offset: i.offset }))),
  };
}

/** POST …/flash over the daemon's Unix socket; `query` as in `?verify=0`. */
export function uploadFlash(socket: string, id: string, images: readonly UploadImage[], query = '', extra: Record<string, string> = {}): Promise<ApiResponse<any>> {
  const body = Buffer.concat(images.map((i) => i.data));
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method: 'POST', path: `/v1/sessions/${id}/flash${query}`, headers: { ...flashHeaders(images), 'content-length': String(body.length), ...extra } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface SseRecorder {
  events: Array<{ type: string; data: any }>;
  ready: Promise<void>;
  until(done: (events: SseRecorder['events']) => boolean): Promise<void>;
  close(): void;
}

/** Every event of `GET /v1/events{query}` from now on. */
export function recordEvents(socket: string, query = ''): SseRecorder {
  const events: SseRecorder['events'] = [];
  const waiters = new Set<{ done: (e: SseRecorder['events']) => boolean; resolve: () => void }>();
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const req = request({ socketPath: socket, path: `/v1/events${query}` }, (res) => {
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      buf += chunk;
      markReady();
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) });
      }
      for (const w of [...waiters]) if (w.done(events)) (waiters.delete(w), w.resolve());
    });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    events,
    ready,
    until: (done) => new Promise<void>((resolve) => (done(events) ? resolve() : waiters.add({ done, resolve }))),
    close: () => req.destroy(),
  };
}

/** The flash events of one job, in order. */
export const flashEvents = (r: SseRecorder, jobId: string) => r.events.filter((e) => e.type === 'flash' && e.data.job_id === jobId).map((e) => e.data);
export const jobEnded = (jobId: string) => (events: SseRecorder['events']) => events.some((e) => e.type === 'flash' && e.data.job_id === jobId && e.data.state !== 'running');
