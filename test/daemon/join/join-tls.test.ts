// A host joining over TLS (a self-signed pair made for the test with openssl, trusted with --ca), real processes:
// the tunnel opens and carries a session's serial line and its controls (resets into the ROM loader and back); a
// host that does not trust the certificate is not let in, and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { api, makeHome, openSerial, readUntil, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';
import { logged } from '../../helpers/joined-hosts.js';
import { freePort } from '../../helpers/free-port.js';

const homes: TestHome[] = [];
const daemons: DaemonProcess[] = [];
let coord: TestHome;
let coordDaemon: DaemonProcess;
let port: number;
let cert: string;

async function host(name: string, env: Record<string, string>): Promise<{ home: TestHome; daemon: DaemonProcess }> {
  const key = (await api(coord.socket, 'POST', '/v1/keys', { name, kind: 'host' })).body.key as string;
  const home = makeHome();
  homes.push(home);
  const daemon = await spawnDaemon(home.home, { FBAY_JOIN: `wss://127.0.0.1:${port}`, FBAY_JOIN_KEY: key, ...env });
  daemons.push(daemon);
  return { home, daemon };
}

beforeAll(async () => {
  coord = makeHome();
  homes.push(coord);
  cert = join(coord.home, 'cert.pem');
  const key = join(coord.home, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert, '-days', '1'], { stdio: 'ignore' });
  coord.writeConfig({ virtual_boards: 0, tls: { cert, key } });
  port = await freePort();
  coordDaemon = await spawnDaemon(coord.home, { FBAY_LISTEN: `127.0.0.1:${port}` });
  daemons.push(coordDaemon);
}, 30_000);
afterAll(async () => {
  for (const d of daemons) await stopDaemon(d);
  for (const h of homes) h.cleanup();
});

describe('a host joining over wss://', () => {
  it('with the CA it was given: joins, and a session on its board talks and resets over the tunnel', async () => {
    const lab = await host('lab1', { FBAY_JOIN_CA: cert });
    await logged(coordDaemon, /host lab1 joined/);
    expect((await api(lab.home.socket, 'GET', '/v1/hosts')).body.join).toMatchObject({ url: `wss://127.0.0.1:${port}`, host: 'lab1', state: 'open' });
    const s = (await api(coord.socket, 'POST', '/v1/sessions', { board_id: 'lab1.virtual-1' })).body;
    expect(s).toMatchObject({ state: 'idle', board_id: 'lab1.virtual-1', host: 'lab1' });
    const ws = await openSerial(coord.socket, s.id);
    ws.send(Buffer.from('echo over-tls\r'));
    await readUntil(ws, (text) => text.includes('over-tls\r\nfbay-virtual> '));
    // The serial WebSocket's controls run on the host, next to the board: into the ROM loader, then back.
    ws.send(JSON.stringify({ type: 'reset', mode: 'bootloader' }));
    await readUntil(ws, (text) => text.includes('boot:0x0 (DOWNLOAD(USB/UART0))') && text.includes('waiting for download'));
    ws.send(JSON.stringify({ type: 'reset', mode: 'hard' }));
    await readUntil(ws, (text) => text.includes('boot:0x8 (SPI_FAST_FLASH_BOOT)') && text.includes('fbay-virtual> '));
    const reset = await api(coord.socket, 'POST', `/v1/sessions/${s.id}/reset`, { mode: 'bootloader' });
    expect(reset.status).toBe(200);
    await readUntil(ws, (text) => text.includes('waiting for download'));
    ws.close();
    expect((await api(coord.socket, 'DELETE', `/v1/sessions/${s.id}`)).body).toMatchObject({ state: 'ended', end_reason: 'user_ended' });
  }, 60_000);

  it('without it: the certificate is refused, the host keeps trying and says why; the coordinator never lists it', async () => {
    const lab = await host('lab2', {});
    await logged(lab.daemon, /join: cannot reach wss:\/\/127\.0\.0\.1:\d+ \(.*self[- ]signed certificate.*\); retrying/);
    expect((await api(lab.home.socket, 'GET', '/v1/hosts')).body.join).toMatchObject({ host: null, state: 'connecting', error: expect.stringMatching(/self[- ]signed certificate/) });
    const hosts = (await api(coord.socket, 'GET', '/v1/hosts')).body.hosts as Array<{ name: string }>;
    expect(hosts.map((h) => h.name)).toEqual(['lab1']);
  }, 30_000);
});
