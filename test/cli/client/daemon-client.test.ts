import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { UserError } from '../../../src/shared/user-error.js';
import { VERSION } from '../../../src/shared/version.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';

let fake: FakeDaemon;
beforeEach(async () => {
  fake = await startFakeDaemon();
});
afterEach(() => fake.close());

async function failure(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('DaemonClient', () => {
  it('sends JSON with the version header and parses the answer', async () => {
    fake.route('POST', '/v1/sessions', (req) => ({ status: 201, body: { got: req.body } }));
    const client = new DaemonClient({ socketPath: fake.socket });
    const reply = await client.json('POST', '/v1/sessions', { board_type: 'virtual' }, { 'idempotency-key': 'k1' });
    expect(reply).toMatchObject({ status: 201, body: { got: { board_type: 'virtual' } } });
    const req = fake.requests.at(-1)!;
    expect(req.headers['fbay-version']).toBe(VERSION);
    expect(req.headers['idempotency-key']).toBe('k1');
    expect(req.headers['content-type']).toBe('application/json');
  });

  it.each([
    ['not_found', 404, 4],
    ['session_conflict', 409, 5],
    ['no_board_available', 503, 5],
    ['payment_required', 402, 6],
    ['concurrency_limit', 429, 7],
    ['invalid_request', 400, 2],
    ['internal_error', 500, 1],
  ])('maps %s (HTTP %d) to exit %d, keeping the sentence verbatim and adding a hint', async (code, status, exit) => {
    fake.route('GET', '/v1/x', { status, body: { error: `Sentence for ${code}.`, code } });
    const err = await failure(new DaemonClient({ socketPath: fake.socket }).get('/v1/x'));
    expect(err.message).toBe(`Sentence for ${code}.`);
    expect(err.exit).toBe(exit);
    expect(err.code).toBe(code);
    expect(err.next).toBeTruthy();
  });

  it('prefers the next step the daemon gives, and mentions Retry-After', async () => {
    fake.route('GET', '/v1/a', { status: 400, body: { error: 'Bad.', code: 'invalid_request', next: 'Do X.' } });
    fake.route('GET', '/v1/b', { status: 429, body: { error: 'Busy.', code: 'rate_limited' }, headers: { 'retry-after': '7' } });
    const client = new DaemonClient({ socketPath: fake.socket });
    expect((await failure(client.get('/v1/a'))).next).toBe('Do X.');
    expect((await failure(client.get('/v1/b'))).next).toContain('retry after 7s');
  });

  it('refuses to talk to a daemon of another version, unless told not to check', async () => {
    const other = await startFakeDaemon({ version: '9.9.9' });
    try {
      const err = await failure(new DaemonClient({ socketPath: other.socket }).get('/v1/health'));
      expect(err.message).toBe(`fbay CLI ${VERSION} is talking to daemon 9.9.9.`);
      expect(err.next).toContain('fbay daemon restart');
      expect(err.exit).toBe(1);
      const health = await new DaemonClient({ socketPath: other.socket, checkVersion: false }).get<{ version: string }>('/v1/health');
      expect(health.version).toBe('9.9.9');
    } finally {
      await other.close();
    }
  });

  it('treats a daemon that sends no version as a mismatch', async () => {
    const other = await startFakeDaemon({ version: null });
    try {
      expect((await failure(new DaemonClient({ socketPath: other.socket }).get('/v1/health'))).message).toContain(
        '(unknown version)',
      );
    } finally {
      await other.close();
    }
  });

  it('says the daemon is not running (exit 3) when nothing listens', async () => {
    const err = await failure(new DaemonClient({ socketPath: join(fake.home, 'nothing.sock') }).get('/v1/health'));
    expect(err.exit).toBe(3);
    expect(err.code).toBe('daemon_not_running');
    expect(err.next).toContain('fbay daemon start');
  });

  it('starts the daemon once when nothing listens, then retries the request', async () => {
    const home = mkdtempSync('/tmp/fbay-t-');
    let started: FakeDaemon | undefined;
    const client = new DaemonClient({
      socketPath: join(home, 'fbayd.sock'),
      startDaemon: async () => {
        started = await startFakeDaemon({ home });
        started.route('GET', '/v1/sessions', { body: { sessions: [] } });
      },
    });
    try {
      expect(await client.get('/v1/sessions')).toEqual({ sessions: [] });
      expect(started?.requests.map((r) => r.url)).toEqual(['/v1/sessions']);
    } finally {
      await started?.close();
    }
  });

  it('gives up with exit 3 when the daemon still does not answer after starting it', async () => {
    let starts = 0;
    const client = new DaemonClient({ socketPath: join(fake.home, 'never.sock'), startDaemon: async () => void starts++ });
    expect((await failure(client.get('/v1/health'))).exit).toBe(3);
    expect(starts).toBe(1);
  });

  it('turns a silent daemon into exit 3, and an abort into exit 130', async () => {
    fake.route('GET', '/v1/hang', () => new Promise<never>(() => {}));
    const controller = new AbortController();
    const client = new DaemonClient({ socketPath: fake.socket, signal: controller.signal, timeoutMs: 200 });
    const timedOut = await failure(client.get('/v1/hang'));
    expect(timedOut.exit).toBe(3);
    expect(timedOut.message).toContain('Lost the connection');
    const pending = client.get('/v1/hang');
    controller.abort();
    expect((await failure(pending)).exit).toBe(130);
  });
});
