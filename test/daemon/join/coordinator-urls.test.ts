import { describe, expect, it } from 'vitest';
import { CoordinatorUrls, tunnelUrl } from '../../../src/daemon/join/coordinator-urls.js';

describe("a host's coordinators", () => {
  it('are tried in turn as tries fail, the same one first again after a drop', () => {
    const urls = new CoordinatorUrls('ws://a,ws://b,ws://c');
    expect(urls.current).toBe('ws://a');
    expect(urls.failed()).toEqual({ next: 'ws://b', afterDrop: false });
    expect(urls.failed()).toEqual({ next: 'ws://c', afterDrop: false });
    expect(urls.failed()).toEqual({ next: 'ws://a', afterDrop: false });
    // Connected to a, the tunnel drops: a is tried again first (a restart), then b.
    urls.dropped();
    expect(urls.failed()).toEqual({ next: 'ws://a', afterDrop: true });
    expect(urls.failed()).toEqual({ next: 'ws://b', afterDrop: false });
  });

  it('with only one, always that one', () => {
    const urls = new CoordinatorUrls('wss://a:7070');
    expect(urls.failed().next).toBe('wss://a:7070');
    urls.dropped();
    expect(urls.failed()).toEqual({ next: 'wss://a:7070', afterDrop: true });
  });

  it("each dial the coordinator's tunnel path, in ws form", () => {
    expect(tunnelUrl('https://lab.example:7070/')).toBe('wss://lab.example:7070/v1/hosts/connect');
    expect(tunnelUrl('ws://127.0.0.1:9')).toBe('ws://127.0.0.1:9/v1/hosts/connect');
  });
});
