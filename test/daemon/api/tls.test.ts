// The TCP listener over TLS, with a cert and key from config (a self-signed pair made for the test with openssl).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { api, makeHome, spawnDaemon, stopDaemon, type DaemonProcess, type TestHome } from '../../helpers/daemon-process.js';

let h: TestHome;
let d: DaemonProcess;

beforeAll(async () => {
  h = makeHome();
  const cert = join(h.home, 'cert.pem');
  const key = join(h.home, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert, '-days', '1'], { stdio: 'ignore' });
  h.writeConfig({ tls: { cert, key } });
  d = await spawnDaemon(h.home, { FBAY_LISTEN: '127.0.0.1:0' });
});
afterAll(async () => {
  await stopDaemon(d);
  h.cleanup();
});

describe('TLS', () => {
  it('serves HTTPS with the configured cert; a client that trusts it gets the API', async () => {
    const health = (await api(h.socket, 'GET', '/v1/health')).body;
    const label: string = health.listeners.find((l: string) => l.startsWith('tls:'));
    expect(label).toMatch(/^tls:127\.0\.0\.1:\d+$/);
    const port = Number(label.split(':').pop());
    const ca = readFileSync(join(h.home, 'cert.pem'));
    const body = await new Promise<any>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/v1/health', ca }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toMatchObject({ status: 200, body: { pid: d.pid } });
  });
});
