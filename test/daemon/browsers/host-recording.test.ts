// Recording a session: screencast frames of every tab encoded to MP4 as they come; ffprobe reads the video back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { FFMPEG, openHost, type HostHarness } from './host-harness.js';

let h: HostHarness;

beforeAll(async () => {
  h = await openHost();
});
afterAll(() => h.close());

function probe(path: string): { duration: number; width: number; height: number; codec: string } {
  const out = JSON.parse(
    execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=width,height,codec_name', '-of', 'json', path], { encoding: 'utf8' }),
  );
  return { duration: Number(out.format.duration), width: out.streams[0].width, height: out.streams[0].height, codec: out.streams[0].codec_name };
}

/** The average colour of the video's frame at `seconds`, as [r, g, b]. */
function colourAt(path: string, seconds: number): number[] {
  const rgb = execFileSync(FFMPEG, ['-v', 'error', '-ss', String(seconds), '-i', path, '-frames:v', '1', '-vf', 'scale=1:1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  return [...rgb];
}

const near = (rgb: number[], want: number[]) => rgb.every((c, i) => Math.abs(c - want[i]!) < 40);

/** Lets `ms` of session time pass, measured by the page's own clock: a video needs a duration to be checked against. */
async function elapse(page: Page, ms: number): Promise<void> {
  const now = await page.evaluate<number>('performance.now()');
  await page.waitForFunction(`performance.now() > ${now + ms}`);
}

describe('recording: true', () => {
  it('is an H.264 MP4 as long as the session, showing the tab opened last', async () => {
    const { id, browser } = await h.launch({ recording: true, fingerprint: { viewport: { width: 640, height: 360 } } });
    // The video starts as the session's browser becomes ready.
    const started = Date.now();
    const pw = await h.connect(id);
    const context = pw.contexts()[0]!;
    const first = context.pages()[0]!;
    await first.setContent('<body style="margin:0;background:rgb(255,0,0)">');
    await elapse(first, 1500);
    const second = await context.newPage();
    const switchedAt = (Date.now() - started) / 1000;
    await second.setContent('<body style="margin:0;background:rgb(0,0,255)">');
    await elapse(second, 1500);
    const endedAfter = (Date.now() - started) / 1000;
    const { artifacts } = await browser.finish(h.host.artifactsDir(id));
    const path = artifacts.recording!.path;
    expect(artifacts.recording).toMatchObject({ name: 'recording.mp4', contentType: 'video/mp4' });
    expect(artifacts.recording!.bytes).toBeGreaterThan(0);
    const video = probe(path);
    expect(video).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(Math.abs(video.duration - endedAfter)).toBeLessThan(0.6);
    expect(near(colourAt(path, switchedAt - 0.5), [255, 0, 0])).toBe(true);
    expect(near(colourAt(path, video.duration - 0.3), [0, 0, 255])).toBe(true);
  });

  it('goes back to the earlier tab when the newest closes', async () => {
    const { id, browser } = await h.launch({ recording: true });
    const pw = await h.connect(id);
    const context = pw.contexts()[0]!;
    const first = context.pages()[0]!;
    const popup = await context.newPage();
    await popup.setContent('<body style="background:rgb(255,0,255)">');
    await popup.close();
    await first.setContent('<body style="background:rgb(0,255,0)">');
    await elapse(first, 1000);
    const { artifacts } = await browser.finish(h.host.artifactsDir(id));
    const path = artifacts.recording!.path;
    expect(probe(path)).toMatchObject({ width: 1280, height: 720 });
    expect(near(colourAt(path, probe(path).duration - 0.3), [0, 255, 0])).toBe(true);
  });
});
