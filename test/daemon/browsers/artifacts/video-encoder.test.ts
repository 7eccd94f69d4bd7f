import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { VideoEncoder } from '../../../../src/daemon/browsers/artifacts/video-encoder.js';
import { ManualClock } from '../manual-clock.js';

const FFMPEG = '/usr/bin/ffmpeg';
let dir: string;

/** A JPEG of one colour, made by ffmpeg itself. */
const jpeg = (color: string, size = '320x240') =>
  execFileSync(FFMPEG, ['-loglevel', 'error', '-f', 'lavfi', '-i', `color=${color}:s=${size}`, '-frames:v', '1', '-f', 'mjpeg', 'pipe:1']);

function probe(path: string): { duration: number; frames: number; width: number; height: number } {
  const out = JSON.parse(
    execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'format=duration:stream=nb_read_frames,width,height', '-of', 'json', path], {
      encoding: 'utf8',
    }),
  );
  return { duration: Number(out.format.duration), frames: Number(out.streams[0].nb_read_frames), width: out.streams[0].width, height: out.streams[0].height };
}

beforeAll(() => {
  dir = mkdtempSync('/tmp/fbay-video-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('VideoEncoder', () => {
  it('repeats the latest frame on a fixed beat, so the video lasts as long as the session, idle time included', async () => {
    const clock = new ManualClock();
    const path = join(dir, 'a.mp4');
    const enc = new VideoEncoder({ ffmpeg: FFMPEG, path, width: 640, height: 360, fps: 10, clock, log: () => {} });
    clock.advance(700); // setting the browser up: not the session's time yet
    enc.start();
    clock.advance(500); // nothing painted yet: those frames are owed to the first picture
    enc.frame(jpeg('red'));
    clock.advance(2000);
    enc.frame(jpeg('blue', '1280x720')); // another size is scaled to fit
    clock.advance(3500); // idle: the blue frame repeats
    expect(await enc.finish()).toBe(true);
    expect(probe(path)).toEqual({ duration: 6, frames: 60, width: 640, height: 360 });
  });

  it('ends at the freeze (the browser went away), however late finish() comes', async () => {
    const clock = new ManualClock();
    const path = join(dir, 'b.mp4');
    const enc = new VideoEncoder({ ffmpeg: FFMPEG, path, width: 320, height: 240, fps: 5, clock, log: () => {} });
    enc.frame(jpeg('green'));
    enc.start();
    clock.advance(2000);
    enc.freeze();
    clock.advance(10_000);
    expect(await enc.finish()).toBe(true);
    expect(probe(path).duration).toBe(2);
  });

  it('writes nothing and says so when no frame ever came', async () => {
    const logs: string[] = [];
    const clock = new ManualClock();
    const enc = new VideoEncoder({ ffmpeg: FFMPEG, path: join(dir, 'c.mp4'), width: 320, height: 240, clock, log: (m) => logs.push(m) });
    enc.start();
    clock.advance(1000);
    expect(await enc.finish()).toBe(false);
    expect(logs.join('\n')).toMatch(/never painted/);
  });
});
