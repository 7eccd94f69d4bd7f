import { describe, expect, it } from 'vitest';
import { CdpConnection, CdpError, type ClientSink } from '../../../src/daemon/browsers/cdp-connection.js';
import { FakeBrowserEnd, tick } from './fake-browser.js';

function client() {
  const got: any[] = [];
  const sink: ClientSink = { send: (m) => got.push(JSON.parse(m.toString())) };
  return { sink, got };
}

const noHooks = { browserClose: () => {} };

describe('CdpConnection: the daemon’s own calls', () => {
  it('resolves results and rejects CDP errors', async () => {
    const browser = new FakeBrowserEnd((m) => (m.method === 'Bad.call' ? { error: { code: -32601, message: 'nope' } } : { result: { product: 'Chrome/1' } }));
    const conn = new CdpConnection(browser.pipe);
    await expect(conn.call('Browser.getVersion')).resolves.toEqual({ product: 'Chrome/1' });
    await expect(conn.call('Bad.call')).rejects.toBeInstanceOf(CdpError);
    expect(browser.received[0]!.id).toBeGreaterThanOrEqual(2 ** 30);
  });

  it('rejects what is pending when the pipe closes', async () => {
    const browser = new FakeBrowserEnd(() => null);
    const conn = new CdpConnection(browser.pipe);
    const pending = conn.call('Browser.getVersion');
    browser.pipe.close();
    await expect(pending).rejects.toThrow(/closed/);
  });
});

describe('CdpConnection: a client behind its own browser-level session', () => {
  it('adds the client session to browser-level requests and hides it in replies and events', async () => {
    const browser = new FakeBrowserEnd((m, b) => {
      if (m.method === 'Target.setDiscoverTargets') b.send({ method: 'Target.targetCreated', params: { targetInfo: {} }, sessionId: m.sessionId });
      return { result: { ok: m.method } };
    });
    const conn = new CdpConnection(browser.pipe);
    const c = client();
    await conn.attachClient(c.sink, noHooks);
    conn.fromClient(c.sink, Buffer.from('{"id":1,"method":"Target.setDiscoverTargets","params":{"discover":true}}'));
    await tick();
    expect(browser.received.at(-1)).toMatchObject({ id: 1, method: 'Target.setDiscoverTargets', sessionId: 'B1' });
    expect(c.got).toEqual([
      { method: 'Target.targetCreated', params: { targetInfo: {} } },
      { id: 1, result: { ok: 'Target.setDiscoverTargets' } },
    ]);
  });

  it('passes child-session traffic through untouched, and a bad-session error back to the client', async () => {
    const browser = new FakeBrowserEnd((m, b) => {
      if (m.sessionId === 'NOPE') {
        b.send({ id: m.id, error: { code: -32001, message: 'Session with given id not found.' } });
        return null;
      }
      return { result: { value: 2 } };
    });
    const conn = new CdpConnection(browser.pipe);
    const c = client();
    await conn.attachClient(c.sink, noHooks);
    conn.fromClient(c.sink, Buffer.from('{"id":5,"method":"Runtime.evaluate","params":{},"sessionId":"CHILD"}'));
    conn.fromClient(c.sink, Buffer.from('{"id":6,"method":"Runtime.evaluate","params":{},"sessionId":"NOPE"}'));
    await tick();
    expect(c.got).toEqual([
      { id: 5, result: { value: 2 }, sessionId: 'CHILD' },
      { id: 6, error: { code: -32001, message: 'Session with given id not found.' } },
    ]);
  });

  it('keeps the daemon’s own sessions away from the client, both ways', async () => {
    const browser = new FakeBrowserEnd(() => ({ result: {} }));
    const conn = new CdpConnection(browser.pipe);
    const events: string[] = [];
    conn.on('event', (e) => events.push(`${e.method}@${e.sessionId}`));
    conn.claim('OWN');
    const c = client();
    await conn.attachClient(c.sink, noHooks);
    conn.fromClient(c.sink, Buffer.from('{"id":9,"method":"Network.disable","sessionId":"OWN"}'));
    browser.send({ method: 'Network.requestWillBeSent', params: { requestId: '1' }, sessionId: 'OWN' });
    await tick();
    expect(browser.received.some((m) => m.id === 9)).toBe(false);
    expect(c.got).toEqual([{ id: 9, error: { code: -32001, message: 'Session with given id not found.' }, sessionId: 'OWN' }]);
    expect(events).toContain('Network.requestWillBeSent@OWN');
  });

  it('answers malformed frames itself and writes nothing to the browser', async () => {
    const browser = new FakeBrowserEnd();
    const conn = new CdpConnection(browser.pipe);
    const c = client();
    await conn.attachClient(c.sink, noHooks);
    const before = browser.received.length;
    conn.fromClient(c.sink, Buffer.from('{"id":1,"method":'));
    conn.fromClient(c.sink, Buffer.from('{"id":"x","method":"A.b"}'));
    conn.fromClient(c.sink, Buffer.from('\u0000{"id":1}'));
    await tick();
    expect(browser.received.length).toBe(before);
    expect(c.got.map((m) => m.error.code)).toEqual([-32700, -32600, -32700]);
  });

  it('turns Browser.close into a hook (the session ends) instead of killing the browser', async () => {
    const browser = new FakeBrowserEnd();
    const conn = new CdpConnection(browser.pipe);
    const c = client();
    let closed = 0;
    await conn.attachClient(c.sink, { browserClose: () => closed++ });
    conn.fromClient(c.sink, Buffer.from('{"id":3,"method":"Browser.close"}'));
    await tick();
    expect(closed).toBe(1);
    expect(c.got).toEqual([{ id: 3, result: {} }]);
    expect(browser.received.some((m) => m.method === 'Browser.close')).toBe(false);
  });

  it('detaches the client session when the client leaves; late traffic of its sessions is dropped', async () => {
    const browser = new FakeBrowserEnd();
    const conn = new CdpConnection(browser.pipe);
    const c = client();
    await conn.attachClient(c.sink, noHooks);
    await conn.detachClient(c.sink);
    expect(browser.received.at(-1)).toMatchObject({ method: 'Target.detachFromTarget', params: { sessionId: 'B1' } });
    browser.send({ method: 'Page.frameNavigated', params: {}, sessionId: 'CHILD' });
    browser.send({ id: 1, result: {}, sessionId: 'B1' });
    await tick();
    expect(c.got).toEqual([]);
    expect(conn.hasClient).toBe(false);
  });

  it('a new client takes over: the old session is detached before the new one is attached', async () => {
    const browser = new FakeBrowserEnd();
    const conn = new CdpConnection(browser.pipe);
    const a = client();
    const b = client();
    await conn.attachClient(a.sink, noHooks);
    await conn.attachClient(b.sink, noHooks);
    const methods = browser.received.map((m) => `${m.method}${m.params?.sessionId ? `(${m.params.sessionId})` : ''}`);
    expect(methods).toEqual(['Target.attachToBrowserTarget', 'Target.detachFromTarget(B1)', 'Target.attachToBrowserTarget']);
    conn.fromClient(a.sink, Buffer.from('{"id":1,"method":"Browser.getVersion"}'));
    conn.fromClient(b.sink, Buffer.from('{"id":1,"method":"Browser.getVersion"}'));
    await tick();
    expect(browser.received.at(-1)).toMatchObject({ id: 1, sessionId: 'B2' });
    expect(a.got).toEqual([]);
    expect(b.got).toEqual([{ id: 1, result: {} }]);
  });
});
