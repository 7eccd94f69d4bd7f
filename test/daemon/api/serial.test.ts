// The serial line beyond live relaying: the transcript on disk, replay older than the ring, resets, exec's guard stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { request } from 'node:http';
import { floodBytes } from '../../../src/daemon/boards/flood-pattern.js';
import { api, makeHome, nextEvent, openSerial, recordFrames, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import type WebSocket from 'ws';

let h: TestHome;
let d: DaemonProcess;
beforeAll(async () => {
  h = makeHome();
  h.writeConfig({ tiers: { local: { max_concurrent: 2 } } });
  d = await spawnDaemon(h.home);
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});

function rawLog(id: string, since = 0): Promise<{ end: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ socketPath: h.socket, path: `/v1/sessions/${id}/log?since=${since}` }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ end: Number(res.headers['fbay-log-end']), body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

/** Waits until `bytes` binary bytes have arrived (counted from the socket's first frame); text frames are kept too. */
async function collect(ws: WebSocket, bytes: number): Promise<{ data: Buffer; texts: any[] }> {
  const f = recordFrames(ws);
  await f.until(() => f.size >= bytes);
  return { data: f.bytes(), texts: f.texts };
}

const FLOOD = 3 * 1024 * 1024;
const COMMAND = Buffer.from(`flood ${FLOOD}\r`);

describe('transcript and replay', () => {
  it('keeps every byte on disk, serves it at GET …/log, and replays past the 1 MiB ring from it byte-exact', async () => {
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const live = await openSerial(h.socket, s.id);
    // The shell echoes the command, then floods; wait until the whole flood has arrived live.
    const got = collect(live, COMMAND.length + 2 + FLOOD);
    live.send(COMMAND);
    const { data } = await got;
    expect(data.includes(floodBytes(FLOOD))).toBe(true);
    live.close();
    await once(live, 'close');

    const log = await rawLog(s.id);
    expect(log.body.length).toBe(log.end);
    expect(log.body.subarray(0, data.length).equals(data)).toBe(true);
    const tail = await rawLog(s.id, log.end - 100);
    expect(tail.body.equals(log.body.subarray(log.end - 100))).toBe(true);

    // since=0 is 3 MiB back, far older than the ring: the transcript fills in, no gap.
    const replay = await openSerial(h.socket, s.id, '?since=0');
    const again = await collect(replay, log.end);
    expect(again.texts.filter((m) => m.type === 'gap')).toEqual([]);
    expect(again.data.subarray(0, log.end).equals(log.body)).toBe(true);
    replay.close();
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
    // The transcript outlives the session.
    expect((await rawLog(s.id)).end).toBe(log.end);
  });

  it('a reset runs on the host: the virtual board prints its ROM banner from the returned offset', async () => {
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const reset = await api(h.socket, 'POST', `/v1/sessions/${s.id}/reset`, { mode: 'hard' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ session_id: s.id, mode: 'hard' });
    const banner = await openSerial(h.socket, s.id, `?since=${reset.body.offset}`);
    const { data } = await collect(banner, 20);
    expect(data.toString('latin1')).toMatch(/ESP-ROM:esp32s3/);
    banner.close();
    const boot = await api(h.socket, 'POST', `/v1/sessions/${s.id}/reset`, { mode: 'bootloader' });
    expect((await rawLog(s.id, boot.body.offset)).body.toString('latin1')).toMatch(/DOWNLOAD|waiting for download/);
    const bad = await api(h.socket, 'POST', `/v1/sessions/${s.id}/reset`, { mode: 'soft' });
    expect(bad.status).toBe(400);
    await api(h.socket, 'DELETE', `/v1/sessions/${s.id}`);
  });

  it('end_on_close: the session ends when the guard stream closes (what fbay exec holds)', async () => {
    const s = (await api(h.socket, 'POST', '/v1/sessions', { board_type: 'virtual' })).body;
    const guard = nextEvent(h.socket, () => false, `?session=${s.id}&end_on_close=1`);
    await guard.ready;
    const ended = nextEvent(h.socket, (t) => t === 'ended', `?session=${s.id}`);
    await ended.ready;
    guard.close();
    expect((await ended.event).data).toMatchObject({ reason: 'user_ended' });
    const noSession = await api(h.socket, 'GET', '/v1/events?end_on_close=1');
    expect(noSession.status).toBe(400);
  });
});
