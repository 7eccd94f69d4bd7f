// The screencast acknowledges a page's frames at the video's frame rate, so a page animating at 60 fps is not made
// to JPEG-encode frames the video would drop; the newest open page's frames go to the encoder.
import { describe, expect, it } from 'vitest';
import { Screencast } from '../../../../src/daemon/browsers/artifacts/screencast.js';
import type { VideoEncoder } from '../../../../src/daemon/browsers/artifacts/video-encoder.js';
import type { CdpConnection } from '../../../../src/daemon/browsers/cdp-connection.js';
import type { Target } from '../../../../src/daemon/browsers/target-watcher.js';
import { ManualClock } from '../manual-clock.js';

function setUp() {
  const clock = new ManualClock();
  const calls: { method: string; params: Record<string, unknown>; sessionId?: string; at: number }[] = [];
  const conn = { call: async (method: string, params: Record<string, unknown>, sessionId?: string) => calls.push({ method, params, sessionId, at: clock.now() }) };
  const frames: string[] = [];
  const encoder = { frame: (b: Buffer) => frames.push(b.toString()) };
  const cast = new Screencast(conn as unknown as CdpConnection, encoder as unknown as VideoEncoder, { width: 640, height: 480 }, clock, 100);
  const page = (sessionId: string): Target => ({ sessionId, type: 'page', url: 'about:blank', name: sessionId, attached: true });
  const frame = (t: Target, n: number, text: string) => cast.event(t, 'Page.screencastFrame', { sessionId: n, data: Buffer.from(text).toString('base64') });
  const acks = () => calls.filter((c) => c.method === 'Page.screencastFrameAck');
  return { clock, calls, frames, cast, page, frame, acks };
}

describe('Screencast', () => {
  it('starts a screencast at the video size on each page', async () => {
    const { cast, page, calls } = setUp();
    await cast.attach(page('p1'));
    await cast.attach({ ...page('w1'), type: 'service_worker' });
    expect(calls).toEqual([expect.objectContaining({ method: 'Page.startScreencast', sessionId: 'p1', params: expect.objectContaining({ maxWidth: 640, maxHeight: 480 }) })]);
  });

  it('acknowledges at most one frame per interval, the first at once and the rest when the interval is up', async () => {
    const { cast, page, frame, acks, clock, frames } = setUp();
    const p = page('p1');
    await cast.attach(p);
    frame(p, 1, 'a');
    expect(acks().map((c) => c.params.sessionId)).toEqual([1]);
    clock.advance(16);
    frame(p, 2, 'b');
    expect(acks()).toHaveLength(1);
    clock.advance(83);
    expect(acks()).toHaveLength(1);
    clock.advance(1);
    expect(acks().map((c) => [c.params.sessionId, c.at - acks()[0]!.at])).toEqual([
      [1, 0],
      [2, 100],
    ]);
    // A frame arriving after a quiet spell is acknowledged at once.
    clock.advance(500);
    frame(p, 3, 'c');
    expect(acks()).toHaveLength(3);
    // Every frame reaches the encoder even while its acknowledgement waits.
    expect(frames).toEqual(['a', 'b', 'c']);
  });

  it('feeds only the newest page, goes back to the previous page on its close, and drops a closed page\'s pending acknowledgement', async () => {
    const { cast, page, frame, acks, clock, frames } = setUp();
    const [p1, p2] = [page('p1'), page('p2')];
    await cast.attach(p1);
    frame(p1, 1, 'one');
    await cast.attach(p2);
    frame(p2, 1, 'two');
    frame(p1, 2, 'one-again');
    frame(p2, 2, 'two-again');
    expect(frames).toEqual(['one', 'two', 'two-again']);
    cast.detach(p2);
    expect(frames.at(-1)).toBe('one-again');
    clock.advance(1_000);
    expect(acks().map((c) => c.sessionId)).toEqual(['p1', 'p2', 'p1']);
  });
});
