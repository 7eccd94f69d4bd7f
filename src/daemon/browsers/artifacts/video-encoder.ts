// Encodes JPEG frames to an MP4 with ffmpeg as they arrive, at a constant frame rate honest to wall time.
//
// Chromium sends a screencast frame only when the page changes, so the encoder repeats the latest frame on a fixed
// beat: frame n covers [start + n/fps, start + (n+1)/fps), and the video lasts as long as the session did.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock, TimerHandle } from '../../../shared/clock.js';

export const DEFAULT_FPS = 10;
const STDERR_TAIL_BYTES = 2048;
/** ffmpeg gets this long to write the file's index after its input ends. */
const FINALIZE_TIMEOUT_MS = 15_000;

export interface EncoderOptions {
  ffmpeg: string;
  path: string;
  /** The video's size; frames of another size are scaled to fit and padded. */
  width: number;
  height: number;
  fps?: number;
  clock: Clock;
  log(message: string): void;
}

export function ffmpegArgs(o: { path: string; width: number; height: number; fps: number }): string[] {
  const w = o.width & ~1;
  const h = o.height & ~1;
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', 'image2pipe', '-c:v', 'mjpeg', '-framerate', String(o.fps), '-i', 'pipe:0'],
    ...['-vf', `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,format=yuv420p`],
    // One thread and the fastest preset: an encoder per live session shares the host's cores with the browsers.
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-crf', '28', '-threads', '1', '-r', String(o.fps)],
    ...['-movflags', '+faststart', '-y', o.path],
  ];
}

export class VideoEncoder {
  private readonly child: ChildProcess;
  private readonly fps: number;
  /** When the video's time begins: start(), as the session becomes ready. */
  private started: number | null = null;
  private latest: Buffer | null = null;
  private written = 0;
  /** Frames due at this moment, once the session stopped (finish, or the browser went away). */
  private endAt: number | null = null;
  private blocked = false;
  private broken = false;
  private timer: TimerHandle | null = null;
  private tail = '';
  private caughtUp: (() => void) | null = null;
  private readonly exited: Promise<number | null>;

  constructor(private readonly o: EncoderOptions) {
    this.fps = o.fps ?? DEFAULT_FPS;
    this.child = spawn(o.ffmpeg, ffmpegArgs({ ...o, fps: this.fps }), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (t: string) => (this.tail = (this.tail + t).slice(-STDERR_TAIL_BYTES)));
    this.child.stdin!.on('error', () => this.break());
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', (err) => {
        this.tail += err.message;
        this.break();
        resolve(null);
      });
    });
  }

  /** The session is ready: the video's clock starts now (ffmpeg was started earlier, while the browser was set up). */
  start(): void {
    if (this.started !== null) return;
    this.started = this.o.clock.now();
    this.schedule();
    this.pump();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The newest picture of the page; shown from now until the next one. */
  frame(jpeg: Buffer): void {
    this.latest = jpeg;
    this.pump();
  }

  /** The session's time stops here (its browser went away): the video ends now even if finish() comes later. */
  freeze(): void {
    if (this.started !== null) this.endAt ??= this.o.clock.now();
  }

  /** Writes the frames due up to now (or the freeze), closes ffmpeg's input and waits for the file. True when it is whole. */
  async finish(): Promise<boolean> {
    this.start();
    this.freeze();
    this.stopTimer();
    if (!this.latest) {
      this.o.log('recording: the page never painted a frame; no video was written');
      this.child.kill('SIGKILL');
      await this.exited;
      return false;
    }
    await new Promise<void>((resolve) => {
      this.caughtUp = resolve;
      this.pump();
    });
    this.child.stdin!.end();
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      this.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), FINALIZE_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (code === 'timeout') this.child.kill('SIGKILL');
    if (code !== 0) this.o.log(`recording: ffmpeg ${code === 'timeout' ? 'did not finish in time' : `exited with ${code}`}: ${this.tail.trim()}`);
    return code === 0;
  }

  /** Stops at once, keeping nothing. */
  async kill(): Promise<void> {
    this.stopTimer();
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private due(): number {
    if (this.started === null) return 0;
    const at = this.endAt ?? this.o.clock.now();
    return Math.max(1, Math.round(((at - this.started) * this.fps) / 1000));
  }

  private pump(): void {
    if (this.broken) return this.settle();
    const latest = this.latest;
    if (!latest) return;
    const due = this.due();
    while (this.written < due && !this.blocked) {
      this.written++;
      if (!this.child.stdin!.write(latest)) {
        this.blocked = true;
        this.child.stdin!.once('drain', () => {
          this.blocked = false;
          this.pump();
        });
      }
    }
    if (this.written >= due && !this.blocked) this.settle();
  }

  private settle(): void {
    if (this.endAt === null || !this.caughtUp) return;
    const done = this.caughtUp;
    this.caughtUp = null;
    done();
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => {
      this.pump();
      if (this.endAt === null) this.schedule();
    }, 1000 / this.fps);
  }

  private stopTimer(): void {
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private break(): void {
    this.broken = true;
    this.settle();
  }
}
