// The session's video: a screencast on every page, the newest open page's frames fed to the encoder.
//
// One video per session, showing the tab the session opened last (the one a person would be looking at); when it
// closes, the video goes back to the one before, from its latest frame.
//
// Chromium sends a page's next frame only once the last is acknowledged, so acknowledging at the video's frame rate
// (not as each frame lands) keeps a page animating at 60 fps from JPEG-encoding 60 frames a second that the video
// would drop: the browser's own work, and the CDP traffic of everyone on it, stay close to an unrecorded session's.
import type { Clock, TimerHandle } from '../../../shared/clock.js';
import type { CdpConnection } from '../cdp-connection.js';
import type { Target, TargetHandler } from '../target-watcher.js';
import type { VideoEncoder } from './video-encoder.js';

const JPEG_QUALITY = 70;

export class Screencast implements TargetHandler {
  /** Open pages, oldest first, with each one's latest frame. */
  private readonly pages: Page[] = [];

  constructor(
    private readonly conn: CdpConnection,
    private readonly encoder: VideoEncoder,
    private readonly size: { width: number; height: number },
    private readonly clock: Clock,
    /** The least time between two frames of one page: the video's frame interval. */
    private readonly intervalMs: number,
  ) {}

  async attach(target: Target): Promise<void> {
    if (target.type !== 'page') return;
    this.pages.push({ sessionId: target.sessionId, frame: null, ackedAt: -Infinity, ackTimer: null });
    await this.conn.call(
      'Page.startScreencast',
      { format: 'jpeg', quality: JPEG_QUALITY, maxWidth: this.size.width, maxHeight: this.size.height, everyNthFrame: 1 },
      target.sessionId,
    );
  }

  event(target: Target, method: string, params: Record<string, any>): void {
    if (method !== 'Page.screencastFrame') return;
    const page = this.pages.find((p) => p.sessionId === target.sessionId);
    if (!page) return;
    this.ack(page, params.sessionId);
    if (typeof params.data !== 'string') return;
    page.frame = Buffer.from(params.data, 'base64');
    if (page === this.pages.at(-1)) this.encoder.frame(page.frame);
  }

  detach(target: Target): void {
    const i = this.pages.findIndex((p) => p.sessionId === target.sessionId);
    if (i < 0) return;
    const gone = this.pages[i]!;
    if (gone.ackTimer) this.clock.clearTimeout(gone.ackTimer);
    const wasFront = i === this.pages.length - 1;
    this.pages.splice(i, 1);
    const front = this.pages.at(-1);
    if (wasFront && front?.frame) this.encoder.frame(front.frame);
  }

  /** Acknowledges a frame once a frame interval has passed since the page's last acknowledgement. */
  private ack(page: Page, frameId: unknown): void {
    const send = () => {
      page.ackTimer = null;
      page.ackedAt = this.clock.now();
      void this.conn.call('Page.screencastFrameAck', { sessionId: frameId }, page.sessionId).catch(() => undefined);
    };
    if (page.ackTimer) this.clock.clearTimeout(page.ackTimer);
    const wait = page.ackedAt + this.intervalMs - this.clock.now();
    if (wait <= 0) send();
    else page.ackTimer = this.clock.setTimeout(send, wait);
  }
}

interface Page {
  sessionId: string;
  frame: Buffer | null;
  ackedAt: number;
  ackTimer: TimerHandle | null;
}
