// The live view on a fake browser: its own browser-level session, the newest page's frames, acknowledgements paced
// by the clock, a new tab followed and a closed one let go; the recording's target watcher never takes its sessions.
import { afterEach, describe, expect, it } from 'vitest';
import { CdpConnection } from '../../../src/daemon/browsers/cdp-connection.js';
import { LiveView } from '../../../src/daemon/browsers/live-view.js';
import { TargetWatcher } from '../../../src/daemon/browsers/target-watcher.js';
import { FakeBrowserEnd, tick } from './fake-browser.js';
import { ManualClock } from './manual-clock.js';

let browser: FakeBrowserEnd;
afterEach(() => browser.pipe.close());

function setUp() {
  const clock = new ManualClock();
  let pages = 0;
  browser = new FakeBrowserEnd((msg, b) => {
    if (msg.method === 'Target.getTargets') return { result: { targetInfos: [{ targetId: 'T1', type: 'page', url: 'http://a/', title: 'A' }, { targetId: 'W', type: 'service_worker', url: '', title: '' }] } };
    if (msg.method === 'Target.attachToTarget') {
      const sessionId = `P${++pages}`;
      // Announced on the session that asked, before the reply, as Chromium does in flatten mode.
      b.send({ method: 'Target.attachedToTarget', params: { sessionId, targetInfo: { targetId: msg.params.targetId, type: 'page', url: '' }, waitingForDebugger: false }, sessionId: msg.sessionId });
      return { result: { sessionId } };
    }
    if (msg.method === 'Page.captureScreenshot') return { result: { data: Buffer.from(`shot of ${msg.sessionId}`).toString('base64') } };
    if (msg.method === 'Target.getTargetInfo') return { result: { targetInfo: { targetId: msg.params.targetId, type: 'page', url: 'http://a/', title: 'A' } } };
    return { result: {} };
  });
  const conn = new CdpConnection(browser.pipe);
  const got: { frames: string[]; pages: string[]; closed: number; sent: Array<() => void> } = { frames: [], pages: [], closed: 0, sent: [] };
  const view = new LiveView(
    conn,
    { frame: (jpeg, sent) => (got.frames.push(jpeg.toString()), got.sent.push(sent)), page: (p) => got.pages.push(`${p.title} ${p.url}`), closed: () => got.closed++ },
    clock,
    { maxWidth: 640, maxHeight: 400, quality: 50, minIntervalMs: 100, settleMs: 1000 },
  );
  const sent = (method: string) => browser.received.filter((m) => m.method === method);
  const frame = (sessionId: string, n: number, text: string) => browser.send({ method: 'Page.screencastFrame', params: { sessionId: n, data: Buffer.from(text).toString('base64') }, sessionId });
  return { clock, conn, view, got, sent, frame };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await tick();
};

describe('LiveView', () => {
  it("screencasts the newest page on a browser session of its own, acknowledging a frame once it is sent, at most one per interval", async () => {
    const { view, got, sent, frame, clock } = setUp();
    await view.start();
    await settle();
    expect(sent('Target.setDiscoverTargets')).toEqual([expect.objectContaining({ sessionId: 'B1', params: { discover: true } })]);
    expect(sent('Target.attachToTarget')).toEqual([expect.objectContaining({ sessionId: 'B1', params: { targetId: 'T1', flatten: true } })]);
    expect(sent('Page.startScreencast')).toEqual([expect.objectContaining({ sessionId: 'P1', params: expect.objectContaining({ format: 'jpeg', maxWidth: 640, maxHeight: 400 }) })]);
    expect(got.pages[0]).toBe('A http://a/');

    frame('P1', 1, 'one');
    await settle();
    expect(got.frames).toEqual(['one']);
    expect(sent('Page.screencastFrameAck')).toHaveLength(0); // not before it is on its way
    got.sent[0]!();
    await settle();
    expect(sent('Page.screencastFrameAck')).toEqual([expect.objectContaining({ sessionId: 'P1', params: { sessionId: 1 } })]);
    frame('P1', 2, 'two');
    await settle();
    got.sent[1]!();
    await settle();
    expect(sent('Page.screencastFrameAck')).toHaveLength(1);
    clock.advance(100);
    await settle();
    expect(sent('Page.screencastFrameAck').map((m) => m.params.sessionId)).toEqual([1, 2]);
  });

  it('follows a new tab, goes back when it closes, and drops its frames once it is not shown', async () => {
    const { view, got, sent, frame } = setUp();
    await view.start();
    await settle();
    browser.send({ method: 'Target.targetCreated', params: { targetInfo: { targetId: 'T2', type: 'page', url: 'http://b/', title: 'B' } }, sessionId: 'B1' });
    await settle();
    expect(sent('Target.detachFromTarget')).toEqual([expect.objectContaining({ sessionId: 'B1', params: { sessionId: 'P1' } })]);
    expect(sent('Target.attachToTarget').at(-1)).toMatchObject({ params: { targetId: 'T2' } });
    expect(got.pages).toContain('B http://b/');
    frame('P1', 9, 'old tab');
    frame('P2', 1, 'new tab');
    await settle();
    expect(got.frames).toEqual(['new tab']);
    browser.send({ method: 'Target.targetDestroyed', params: { targetId: 'T2' }, sessionId: 'B1' });
    await settle();
    expect(sent('Target.attachToTarget').at(-1)).toMatchObject({ params: { targetId: 'T1' } });
  });

  it("is not the recording's: a target watcher on the same browser neither sets up nor lets go of the live view's page sessions", async () => {
    const { conn, view, sent } = setUp();
    const setUps: string[] = [];
    const watcher = new TargetWatcher(conn, [{ attach: (t) => void setUps.push(t.sessionId) }], { frames: false, workers: false }, () => {});
    await watcher.start();
    await view.start();
    await settle();
    expect(setUps).toEqual([]);
    expect(watcher.pages()).toEqual([]);
    browser.send({ method: 'Target.detachedFromTarget', params: { sessionId: 'P1' }, sessionId: 'B1' });
    browser.send({ method: 'Target.targetCreated', params: { targetInfo: { targetId: 'T3', type: 'page', url: '', title: '' } }, sessionId: 'B1' });
    await settle();
    expect(setUps).toEqual([]);
    view.stop();
    await settle();
    expect(sent('Target.detachFromTarget').at(-1)).toEqual(expect.objectContaining({ params: { sessionId: 'B1' } }));
    expect(sent('Target.detachFromTarget').at(-1)!.sessionId).toBeUndefined(); // at browser level: its sessions all go
  });

  it('shows a screenshot of a page that sent no frame for a while after it came to the front or loaded, unless a frame came meanwhile', async () => {
    const { view, got, sent, frame, clock } = setUp();
    await view.start();
    await settle();
    // Shown, then still: Chromium may have dropped the frame it drew (three unacknowledged, or a resize).
    clock.advance(999);
    await settle();
    expect(sent('Page.captureScreenshot')).toHaveLength(0);
    clock.advance(1);
    await settle();
    expect(sent('Page.captureScreenshot')).toEqual([expect.objectContaining({ sessionId: 'P1', params: { format: 'jpeg', quality: 50 } })]);
    expect(got.frames).toEqual(['shot of P1']);

    // Loaded, and frames keep coming: each puts the screenshot off; once they stop, one is taken.
    browser.send({ method: 'Page.loadEventFired', params: {}, sessionId: 'P1' });
    await settle();
    clock.advance(600);
    frame('P1', 1, 'drawn');
    await settle();
    clock.advance(600);
    await settle();
    expect(sent('Page.captureScreenshot')).toHaveLength(1);
    clock.advance(400);
    await settle();
    expect(sent('Page.captureScreenshot')).toHaveLength(2);
    expect(got.frames).toEqual(['shot of P1', 'drawn', 'shot of P1']);

    // A frame that lands while the screenshot is being taken is newer: the screenshot is dropped.
    browser.setRespond((msg) => (msg.method === 'Page.captureScreenshot' ? null : { result: {} }));
    browser.send({ method: 'Page.screencastVisibilityChanged', params: { visible: true }, sessionId: 'P1' });
    await settle();
    clock.advance(1000);
    await settle();
    const asked = sent('Page.captureScreenshot').at(-1)!;
    expect(sent('Page.captureScreenshot')).toHaveLength(3);
    frame('P1', 2, 'newer');
    await settle();
    browser.send({ id: asked.id, result: { data: Buffer.from('late shot').toString('base64') }, sessionId: 'P1' });
    await settle();
    expect(got.frames.slice(-1)).toEqual(['newer']);
    expect(got.frames).not.toContain('late shot');
  });

  it('says so when the browser goes away', async () => {
    const { view, got } = setUp();
    await view.start();
    browser.pipe.close();
    await settle();
    expect(got.closed).toBe(1);
  });
});
