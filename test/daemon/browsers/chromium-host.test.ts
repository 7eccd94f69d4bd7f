// The local browser host on the real Debian Chromium: launch, finish, crash, processes, checks and artifact files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ApiError } from '../../../src/transport/protocol/errors.js';
import { findFfmpeg } from '../../../src/daemon/browsers/artifacts/ffmpeg.js';
import { PLAIN_SPEC } from '../../../src/daemon/browsers/browser-host.js';
import { groupPids } from '../../../src/daemon/browsers/process-group.js';
import { openHost, pidsNaming, type HostHarness } from './host-harness.js';
import { servePages, type PageServer } from './page-server.js';

let h: HostHarness;
let pages: PageServer;

beforeAll(async () => {
  [h, pages] = await Promise.all([openHost(), servePages()]);
});
afterAll(async () => {
  await h.close();
  await pages.close();
});

function probeSeconds(path: string): number {
  return Number(execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }));
}

describe('ChromiumHost', () => {
  it('launches a browser Playwright drives, and finish() returns once every process of it is gone', async () => {
    const { id, browser } = await h.launch();
    expect(browser.version).toMatch(/^Chrome\//);
    expect(browser.warm).toBe(false);
    const pw = await h.connect(id);
    const page = pw.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    expect(await page.evaluate('6 * 7')).toBe(42);
    const profile = `${h.dirs.run}/${id}`;
    expect(pidsNaming(profile).length).toBeGreaterThan(0);
    const result = await browser.finish(h.host.artifactsDir(id));
    expect(result.artifacts).toEqual({ screenshots: [], har: null, recording: null, consoleLogs: null });
    expect(pidsNaming(profile)).toEqual([]);
    expect(groupPids(browser.pid)).toEqual([]);
  });

  it('a crash resolves lost with the reason, and finish() still returns the console log, HAR and video so far', async () => {
    const { id, browser } = await h.launch({ record: ['consoleLogs', 'har', 'screenshots'], recording: true });
    const started = Date.now();
    const pw = await h.connect(id);
    const page = pw.contexts()[0]!.pages()[0]!;
    await page.goto(pages.url('/'));
    await page.waitForFunction("document.getElementById('h')?.textContent === 'loaded'");
    // Session time for the video to cover, by the page's own clock.
    const now = await page.evaluate<number>('performance.now()');
    await page.waitForFunction(`performance.now() > ${now + 1500}`);
    process.kill(browser.pid, 'SIGKILL');
    expect(await browser.lost).toMatch(/^Chromium was killed by SIGKILL/);
    const crashedAfter = (Date.now() - started) / 1000;
    const { artifacts } = await browser.finish(h.host.artifactsDir(id));
    expect(artifacts.screenshots).toEqual([]);
    expect(artifacts.consoleLogs!.bytes).toBeGreaterThan(0);
    expect(execFileSync('cat', [artifacts.consoleLogs!.path], { encoding: 'utf8' })).toMatch(/page-1 log: page-says 42/);
    const har = JSON.parse(execFileSync('cat', [artifacts.har!.path], { encoding: 'utf8' }));
    expect(har.log.entries.map((e: { request: { url: string } }) => e.request.url)).toContain(pages.url('/data.json'));
    expect(artifacts.recording).toMatchObject({ name: 'recording.mp4', contentType: 'video/mp4' });
    expect(Math.abs(probeSeconds(artifacts.recording!.path) - crashedAfter)).toBeLessThan(0.6);
    expect(groupPids(browser.pid)).toEqual([]);
  });

  it('refuses a recording when ffmpeg is missing, naming the package', () => {
    const missing = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        return (err as ApiError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(missing(() => findFfmpeg(null, { PATH: '/nonexistent' }))).toBe(
      'Recording needs ffmpeg, and this host has none on PATH: install the `ffmpeg` package (Debian/Ubuntu: `sudo apt-get install -y ffmpeg`).',
    );
    expect(findFfmpeg(null, { PATH: '/nonexistent:/usr/bin' })).toBe('/usr/bin/ffmpeg');
    return openHost({ ffmpeg: () => '/nonexistent/ffmpeg' }).then(async (other) => {
      try {
        expect(() => other.host.check(PLAIN_SPEC)).not.toThrow();
        expect(missing(() => other.host.check({ ...PLAIN_SPEC, recording: true }))).toMatch(/^Recording needs ffmpeg, but browsers.ffmpeg is \/nonexistent\/ffmpeg .*install the `ffmpeg` package/);
        await expect(other.launch({ recording: true })).rejects.toThrow(/install the `ffmpeg` package/);
      } finally {
        await other.close();
      }
    });
  });

  it('artifactFile() gives a path for a listed artifact name only', async () => {
    const { id, browser } = await h.launch({ record: ['consoleLogs', 'screenshots'] });
    const { artifacts } = await browser.finish(h.host.artifactsDir(id));
    expect(artifacts.screenshots.map((a) => a.name)).toEqual(['screenshots/page-1.png']);
    expect(h.host.artifactFile(id, 'console.log')).toBe(artifacts.consoleLogs!.path);
    expect(h.host.artifactFile(id, 'screenshots/page-1.png')).toBe(artifacts.screenshots[0]!.path);
    for (const name of ['network.har', 'artifacts.json', '../artifacts.json', 'screenshots/../console.log', '/etc/passwd', '']) {
      expect(() => h.host.artifactFile(id, name)).toThrow(ApiError);
    }
    expect(() => h.host.artifactFile('ses_nosuchsessionxxxxxxxxx', 'console.log')).toThrow(/has no artifact "console.log"/);
  });
});
