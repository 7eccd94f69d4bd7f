import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';
import { aSession } from '../helpers/sessions.js';

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
const S = aSession();
beforeEach(async () => {
  fake = await startFakeDaemon();
  env = { FBAY_HOME: fake.home };
  fake.route('GET', '/v1/sessions', { body: { sessions: [S] } });
});
afterEach(() => fake.close());

describe('fbay reset', () => {
  it('resets the live session and prints the offset its boot output starts at; --json prints the answer', async () => {
    fake.route('POST', `/v1/sessions/${S.id}/reset`, (req) => ({ body: { session_id: S.id, mode: (req.body as { mode: string }).mode, offset: 1234 } }));
    expect(await run(['reset'], env)).toMatchObject({ code: 0, stdout: '1234\n' });
    expect(fake.requests.at(-1)!.body).toEqual({ mode: 'hard' });
    const json = await run(['--json', 'reset', S.id, '--bootloader'], env);
    expect(JSON.parse(json.stdout)).toEqual({ session_id: S.id, mode: 'bootloader', offset: 1234 });
    expect(fake.requests.at(-1)!.body).toEqual({ mode: 'bootloader' });
  });

  it('uses $FBAY_SESSION inside exec, and passes on why a reset cannot happen', async () => {
    const mine = 'ses_mmmmmmmmmmmmmmmmmmmmmmmm';
    fake.route('POST', `/v1/sessions/${mine}/reset`, { status: 409, body: { error: `Session ${mine} is pending: it has no open board to reset.`, code: 'session_conflict' } });
    const r = await run(['reset'], { ...env, FBAY_SESSION: mine });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('it has no open board to reset');
  });
});
