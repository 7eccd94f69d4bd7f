// The TCP listener over TLS, with a cert and key from config (a self-signed pair made for the test with openssl).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
    // On TCP the health check says only the version (no pid, socket or listeners).
    expect(body).toEqual({ status: 200, body: { version: expect.any(String) } });
  });

  it.each([
    ['files that are not there', () => ({ cert: '/nowhere/cert.pem', key: '/nowhere/key.pem' }), /Could not read the TLS files/],
    ['a PEM that does not parse', () => ({ cert: garbage('cert'), key: garbage('key') }), /The TLS certificate or key does not work/],
  ])('%s: the daemon exits with the reason before opening anything', async (_what, files, message) => {
    const bad = makeHome();
    bad.writeConfig({ tls: files() });
    const err = await spawnDaemon(bad.home, { FBAY_LISTEN: '127.0.0.1:0' }).then(() => '', (e: Error) => e.message);
    expect(err).toMatch(/exited with 1/);
    expect(err).toMatch(message);
    // Nothing left behind: no socket, no pid file.
    expect(existsSync(bad.socket)).toBe(false);
    expect(existsSync(join(bad.home, 'fbayd.pid'))).toBe(false);
    bad.cleanup();
  });
});

function garbage(name: string): string {
  const file = join(h.home, `${name}-garbage.pem`);
  writeFileSync(file, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
  return file;
}
