// `fbay browser artifacts ID [--out DIR]` against a stand-in daemon: every listed file written under its own name,
// a live session refused with the next step, a name that would leave DIR refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeDaemon, type FakeDaemon } from '../helpers/fake-daemon.js';
import { run } from '../helpers/io.js';

let fake: FakeDaemon;
let env: NodeJS.ProcessEnv;
let out: string;
beforeEach(async () => {
  fake = await startFakeDaemon();
  env = { FBAY_HOME: fake.home };
  out = mkdtempSync('/tmp/fbay-art-');
});
afterEach(async () => {
  await fake.close();
  rmSync(out, { recursive: true, force: true });
});

const ID = 'ses_AAAAAAAAAAAAAAAAAAAAAAAA';
const file = (name: string, contentType: string, bytes: number) => ({ name, url: `/v1/browsers/${ID}/artifacts/${name}`, path: `/host/${name}`, bytes, contentType });
const session = (status: string, artifacts: object) => ({ id: ID, kind: 'browser', status, artifacts });

describe('fbay browser artifacts', () => {
  it('downloads every artifact into --out under its own name', async () => {
    const video = Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]);
    fake.route('GET', '/v1/browsers', {
      body: session('ended', { screenshots: [file('screenshots/page-1.png', 'image/png', 3)], har: file('network.har', 'application/json', 2), recording: file('recording.mp4', 'video/mp4', 8), consoleLogs: null }),
    });
    fake.route('GET', `/v1/browsers/${ID}/artifacts/screenshots/page-1.png`, { body: Buffer.from('png') });
    fake.route('GET', `/v1/browsers/${ID}/artifacts/network.har`, { body: Buffer.from('{}') });
    fake.route('GET', `/v1/browsers/${ID}/artifacts/recording.mp4`, { body: video });
    const r = await run(['--json', 'browser', 'artifacts', ID, '--out', out], env);
    expect(r.code, r.stderr).toBe(0);
    const written = JSON.parse(r.stdout);
    expect(written).toMatchObject({ id: ID, dir: out });
    expect(written.files.map((f: { name: string; bytes: number }) => [f.name, f.bytes])).toEqual([
      ['screenshots/page-1.png', 3],
      ['recording.mp4', 8],
      ['network.har', 2],
    ]);
    expect(readFileSync(join(out, 'recording.mp4'))).toEqual(video);
    expect(readFileSync(join(out, 'screenshots/page-1.png'), 'utf8')).toBe('png');
    const human = await run(['browser', 'artifacts', ID, '--out', out], env);
    expect(human.stdout).toMatch(new RegExp(`^${out}/recording\\.mp4 +8 +video/mp4$`, 'm'));
  });

  it('a live session: exit 5, end it first', async () => {
    fake.route('GET', '/v1/browsers', { body: session('active', { screenshots: [], har: null, recording: null, consoleLogs: null }) });
    const r = await run(['browser', 'artifacts', ID, '--out', out], env);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`hint: End it first with \`fbay browser end ${ID}\``);
  });

  it('refuses a name that would leave the directory, writing nothing', async () => {
    fake.route('GET', '/v1/browsers', { body: session('ended', { screenshots: [], har: file('../../escape.har', 'application/json', 2), recording: null, consoleLogs: null }) });
    const r = await run(['browser', 'artifacts', ID, '--out', out], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a file name fbay writes');
    expect(fake.requests.some((q) => q.url.includes('/artifacts/'))).toBe(false);
  });
});
