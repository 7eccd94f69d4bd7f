import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import { execWithSession, runCommand, type ExecOptions, type Runner } from '../../../src/cli/services/exec.js';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { aSession } from '../helpers/sessions.js';
import { childLink, linkedChild, type ChildLink } from '../helpers/child-link.js';

const S = aSession();
const ENDED = aSession({ state: 'ended', end_reason: 'user_ended' });

let fake: FakeDaemon;
let client: DaemonClient;
let warnings: string[];
beforeEach(async () => {
  fake = await startFakeDaemon();
  fake.route('POST', '/v1/sessions', { status: 201, body: S });
  fake.route('DELETE', `/v1/sessions/${S.id}`, { body: ENDED });
  client = new DaemonClient({ socketPath: fake.socket });
  warnings = [];
});
afterEach(() => fake.close());

const calls = () => fake.requests.map((r) => `${r.method} ${r.url}`);
const GUARD = `GET /v1/events?session=${S.id}&end_on_close=1`;

function options(runner: Runner, extra: Partial<ExecOptions> = {}): ExecOptions {
  return {
    request: { board_type: 'virtual' },
    waitMs: null,
    command: 'make',
    args: ['test'],
    env: { FOO: 'bar' },
    signal: new AbortController().signal,
    warn: (line) => warnings.push(line),
    runner,
    ...extra,
  };
}

describe('the exec lifecycle', () => {
  it('runs the command with the session in its environment while holding the guard stream, then ends the session', async () => {
    let seen: { command: string; args: readonly string[]; env: NodeJS.ProcessEnv; calls: string[] } | undefined;
    const status = await execWithSession(
      client,
      options(async (command, args, env) => {
        seen = { command, args, env, calls: calls() };
        return 0;
      }),
    );
    expect(status).toBe(0);
    expect(seen).toEqual({
      command: 'make',
      args: ['test'],
      env: { FOO: 'bar', FBAY_SESSION: S.id, FBAY_SERIAL_URL: S.ws_url },
      calls: ['POST /v1/sessions', GUARD],
    });
    expect(calls()).toEqual(['POST /v1/sessions', GUARD, `DELETE /v1/sessions/${S.id}`]);
    expect(fake.requests[0]!.body).toEqual({ board_type: 'virtual' });
    expect(warnings).toEqual([]);
  });

  it("returns a failing command's status, and still ends the session", async () => {
    expect(await execWithSession(client, options(async () => 3))).toBe(3);
    expect(calls().at(-1)).toBe(`DELETE /v1/sessions/${S.id}`);
  });

  it('ends the session when the command cannot start', async () => {
    const failing = execWithSession(client, options(() => Promise.reject(new Error('spawn failed'))));
    await expect(failing).rejects.toThrow('spawn failed');
    expect(calls().at(-1)).toBe(`DELETE /v1/sessions/${S.id}`);
  });

  it('on Ctrl-C waits for the command to exit, ends the session and exits 130', async () => {
    const abort = new AbortController();
    const order: string[] = [];
    const running = execWithSession(
      client,
      options(
        (_c, _a, _e, signal) =>
          new Promise<number>((resolve) => {
            signal.addEventListener('abort', () => {
              order.push(`child exits; calls so far: ${calls().length}`);
              resolve(130);
            });
            abort.abort();
          }),
        { signal: abort.signal },
      ),
    );
    await expect(running).rejects.toMatchObject({ exit: 130 });
    expect(order).toEqual(['child exits; calls so far: 2']);
    expect(calls()).toEqual(['POST /v1/sessions', GUARD, `DELETE /v1/sessions/${S.id}`]);
  });

  it('does not start the command after a Ctrl-C during setup, and still ends the session', async () => {
    const abort = new AbortController();
    let ran = false;
    fake.route('POST', '/v1/sessions', () => {
      abort.abort();
      return { status: 201, body: S };
    });
    const running = execWithSession(client, options(async () => ((ran = true), 0), { signal: abort.signal }));
    await expect(running).rejects.toMatchObject({ exit: 130 });
    expect(ran).toBe(false);
    expect(calls().at(-1)).toBe(`DELETE /v1/sessions/${S.id}`);
  });

  it('tells the user when the session ends under the command and fails, but not when exec ends it', async () => {
    let warned!: () => void;
    const told = new Promise<void>((resolve) => (warned = resolve));
    fake.route('DELETE', `/v1/sessions/${S.id}`, () => {
      fake.emit({ type: 'ended', session_id: S.id, reason: 'user_ended', session: ENDED });
      return { body: ENDED };
    });
    const runner: Runner = async () => {
      fake.emit({ type: 'ended', session_id: S.id, reason: 'idle_timeout', session: { ...ENDED, end_reason: 'idle_timeout' } });
      await told;
      return 0;
    };
    const warn = (line: string) => (warnings.push(line), warned());
    await expect(execWithSession(client, options(runner, { warn }))).rejects.toMatchObject({ exit: 1, code: 'session_ended' });
    expect(warnings).toEqual([`session ${S.id} ended (idle_timeout) while the command runs; it goes on without the board.`]);
  });
});

describe('runCommand (the real child process)', () => {
  let link: ChildLink;
  beforeEach(async () => {
    link = await childLink();
  });
  afterEach(() => link.close());
  const never = new AbortController().signal;

  it("returns the command's exit status, or 128 + N when signal N killed it", async () => {
    expect(await runCommand(process.execPath, ['-e', 'process.exit(3)'], {}, never)).toBe(3);
    expect(await runCommand(process.execPath, ['-e', 'process.kill(process.pid, "SIGTERM")'], {}, never)).toBe(143);
  });

  it('says a missing command could not run, with 127', async () => {
    await expect(runCommand('/nonexistent/fbay-test-cmd', [], {}, never)).rejects.toMatchObject({ exit: 127, code: 'command_not_started' });
  });

  it('gives the command exactly the environment it is handed', async () => {
    const connected = link.connected();
    const status = runCommand(process.execPath, linkedChild(link.path, 's.end(JSON.stringify([process.env.FOO, process.env.PATH ?? null]), () => process.exit(0));'), { FOO: 'bar' }, never);
    expect(JSON.parse(await link.said(await connected))).toEqual(['bar', null]);
    expect(await status).toBe(0);
  });

  it('passes Ctrl-C on to the command as SIGINT', async () => {
    const abort = new AbortController();
    const connected = link.connected();
    const body = `process.on('SIGINT', () => s.end('got SIGINT', () => process.exit(7))); s.write('up');`;
    const status = runCommand(process.execPath, linkedChild(link.path, body), {}, abort.signal);
    const socket = await connected;
    const said = link.said(socket);
    await new Promise((resolve) => socket.once('data', resolve));
    abort.abort();
    expect(await status).toBe(7);
    expect(await said).toBe('upgot SIGINT');
  });
});
