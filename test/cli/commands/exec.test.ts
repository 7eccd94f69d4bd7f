import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';
import { aSession } from '../helpers/sessions.js';
import { childLink, linkedChild } from '../helpers/child-link.js';

const S = aSession();
const ENDED = aSession({ state: 'ended', end_reason: 'user_ended' });

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  fake = await startFakeDaemon();
  fake.route('POST', '/v1/sessions', { status: 201, body: S });
  fake.route('DELETE', `/v1/sessions/${S.id}`, { body: ENDED });
  env = { FBAY_HOME: fake.home };
});
afterEach(() => fake.close());

const calls = () => fake.requests.map((r) => `${r.method} ${r.url}`);
const node = process.execPath;

describe('fbay exec', () => {
  it('runs CMD with FBAY_SESSION and FBAY_SERIAL_URL, prints nothing of its own, and ends the session', async () => {
    const out = join(fake.home, 'child-env.txt');
    const script = 'require("fs").writeFileSync(process.argv[1], process.env.FBAY_SESSION + " " + process.env.FBAY_SERIAL_URL)';
    const r = await run(['exec', '--board', 'virtual', '--idle-timeout', '2m', '--', node, '-e', script, out], env);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(out, 'utf8')).toBe(`${S.id} ${S.ws_url}`);
    expect(fake.requests[0]!.body).toEqual({ board_type: 'virtual', idle_timeout_s: 120 });
    expect(calls()).toEqual(['POST /v1/sessions', `GET /v1/events?session=${S.id}&end_on_close=1`, `DELETE /v1/sessions/${S.id}`]);
  });

  it("exits with a failing command's status and still ends the session", async () => {
    const r = await run(['exec', '--board-id', 'virtual-2', '--', node, '-e', 'process.exit(3)'], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('exited with status 3');
    expect(fake.requests[0]!.body).toEqual({ board_id: 'virtual-2' });
    expect(calls().at(-1)).toBe(`DELETE /v1/sessions/${S.id}`);
  });

  it('on Ctrl-C passes SIGINT to the command, ends the session and exits 130', async () => {
    const link = await childLink();
    try {
      const abort = new AbortController();
      const connected = link.connected();
      const body = `process.on('SIGINT', () => s.end('interrupted', () => process.exit(0))); s.write('up ');`;
      const running = run(['exec', '--board', 'virtual', '--', node, ...linkedChild(link.path, body)], env, { signal: abort.signal });
      const socket = await connected;
      const said = link.said(socket);
      // 'up' comes once the child listens for SIGINT: a Ctrl-C before that would just kill it.
      await new Promise((resolve) => socket.once('data', resolve));
      abort.abort();
      expect(await running).toEqual({ code: 130, stdout: '', stderr: '' });
      expect(await said).toBe('up interrupted');
      expect(calls().at(-1)).toBe(`DELETE /v1/sessions/${S.id}`);
    } finally {
      await link.close();
    }
  });

  it('refuses --json, a missing board and a missing CMD with exit 2, before creating anything', async () => {
    for (const argv of [
      ['--json', 'exec', '--board', 'virtual', '--', 'true'],
      ['exec', '--json', '--board', 'virtual', '--', 'true'],
      ['exec', '--', 'true'],
      ['exec', '--board', 'virtual'],
      ['exec', '--board', 'virtual', '--wait', 'soon', '--', 'true'],
    ]) {
      expect((await run(argv, env)).code, argv.join(' ')).toBe(2);
    }
    expect(fake.requests).toEqual([]);
  });
});
