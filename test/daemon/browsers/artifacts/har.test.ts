import { describe, expect, it } from 'vitest';
import { HarBuilder } from '../../../../src/daemon/browsers/artifacts/har.js';

describe('HarBuilder', () => {
  it('turns request, response and finish events into HAR 1.2 entries, redirects as their own entries', () => {
    const har = new HarBuilder(() => Date.parse('2030-01-01T00:00:00Z'));
    har.addPage('page-1', 'about:blank');
    const wall = Date.parse('2030-01-01T00:00:01Z') / 1000;
    har.onEvent('page-1', 'Network.requestWillBeSent', { requestId: '1', timestamp: 10, wallTime: wall, request: { method: 'GET', url: 'http://127.0.0.1:9/a?x=1', headers: { Accept: '*/*' } } });
    har.onEvent('page-1', 'Network.requestWillBeSent', {
      requestId: '1', timestamp: 10.01, wallTime: wall + 0.01,
      request: { method: 'GET', url: 'http://127.0.0.1:9/b', headers: {} },
      redirectResponse: { status: 302, statusText: 'Found', headers: { Location: '/b' }, mimeType: '', protocol: 'http/1.1' },
    });
    har.onEvent('page-1', 'Network.responseReceived', { requestId: '1', response: { status: 200, statusText: 'OK', headers: { 'Content-Type': 'text/html' }, mimeType: 'text/html', protocol: 'http/1.1' } });
    har.onEvent('page-1', 'Network.loadingFinished', { requestId: '1', timestamp: 10.05, encodedDataLength: 120 });
    har.onEvent('page-1', 'Network.requestWillBeSent', { requestId: '2', timestamp: 11, wallTime: wall + 1, request: { method: 'POST', url: 'http://127.0.0.1:9/c', headers: { 'Content-Type': 'text/plain' }, postData: 'hi' } });
    har.onEvent('page-1', 'Network.loadingFailed', { requestId: '2', timestamp: 11.5, errorText: 'net::ERR_CONNECTION_REFUSED' });

    const { log } = JSON.parse(JSON.stringify(har.toHar())) as { log: any };
    expect(log.version).toBe('1.2');
    expect(log.pages).toEqual([{ startedDateTime: '2030-01-01T00:00:00.000Z', id: 'page-1', title: 'about:blank', pageTimings: { onContentLoad: -1, onLoad: -1 } }]);
    expect(log.entries.map((e: any) => [e.request.url, e.response.status])).toEqual([
      ['http://127.0.0.1:9/a?x=1', 302],
      ['http://127.0.0.1:9/b', 200],
      ['http://127.0.0.1:9/c', 0],
    ]);
    const [first, second, third] = log.entries;
    expect(first).toMatchObject({ pageref: 'page-1', startedDateTime: '2030-01-01T00:00:01.000Z', request: { queryString: [{ name: 'x', value: '1' }] }, response: { redirectURL: '/b' } });
    expect(first.time).toBeCloseTo(10, 6);
    expect(second).toMatchObject({ response: { content: { size: 120, mimeType: 'text/html' }, httpVersion: 'HTTP/1.1' } });
    expect(third).toMatchObject({ request: { method: 'POST', postData: { mimeType: 'text/plain', text: 'hi' }, bodySize: 2 }, response: { statusText: 'net::ERR_CONNECTION_REFUSED' } });
    for (const e of log.entries) {
      for (const key of ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']) expect(e).toHaveProperty(key);
    }
  });
});
