import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/transport/protocol/errors.js';
import { run } from '../helpers/io.js';
import { startFakeSerialDaemon, type FakeSerialDaemon } from '../helpers/fake-serial-daemon.js';

let fake: FakeSerialDaemon | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('fbay console', () => {
  it('refuses --json, and --since with --replay, as usage errors (exit 2)', async () => {
    fake = await startFakeSerialDaemon();
    const env = { FBAY_HOME: fake.home };
    const json = await run(['--json', 'console'], env);
    expect(json.code).toBe(EXIT.usage);
    expect(json.stderr).toContain('--json does not apply to `fbay console`');
    const both = await run(['console', '--since', '3', '--replay'], env);
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain('Give --since N or --replay, not both.');
    const bad = await run(['console', '--since', 'soon'], env);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain("--since must be a byte offset (a whole number ≥ 0); got 'soon'");
    expect(fake.requests).toEqual([]); // refused before asking the daemon anything
  });

  it('attaching to an ended session exits 4 with its end reason', async () => {
    fake = await startFakeSerialDaemon({ state: 'ended', end_reason: 'credits_exhausted' });
    const r = await run(['console', fake.session.id], { FBAY_HOME: fake.home });
    expect(r.code).toBe(EXIT.not_found);
    expect(r.stderr).toContain(`error: Session ${fake.session.id} has ended (credits_exhausted); there is nothing to attach to.`);
    expect(r.stderr).toContain(`hint: Its transcript stays readable with \`fbay serial cat ${fake.session.id}\``);
    expect(fake.requests.some((q) => q.startsWith('UPGRADE'))).toBe(false);
  });

  it('with no live session, in a script, exits 4 and says how to make one', async () => {
    fake = await startFakeSerialDaemon({ state: 'ended', end_reason: 'user_ended' }); // lists no live session
    const r = await run(['console'], { FBAY_HOME: fake.home });
    expect(r.code).toBe(EXIT.not_found);
    expect(r.stderr).toContain('error: There is no live session to attach to.');
    expect(r.stderr).toContain('fbay session create --board virtual');
  });

  it('documents its keys in --help', async () => {
    const r = await run(['console', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Ctrl-T then q quit');
    expect(r.stdout).toContain('plain byte pipe');
    expect(r.stdout).toContain('--replay');
  });
});
