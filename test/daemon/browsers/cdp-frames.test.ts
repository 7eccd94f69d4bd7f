import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID_LIMIT,
  cdpError,
  idAtHead,
  parseClientFrame,
  sessionAtTail,
  stripSession,
  withSession,
} from '../../../src/daemon/browsers/cdp-frames.js';

const b = (text: string) => Buffer.from(text);

describe('sessionAtTail / stripSession', () => {
  it('finds the sessionId Chromium puts last, and strips it in place', () => {
    const m = b('{"id":3,"result":{"x":"y"},"sessionId":"ABCDEF0123"}');
    const found = sessionAtTail(m)!;
    expect(found.sessionId).toBe('ABCDEF0123');
    const stripped = stripSession(m, found);
    expect(JSON.parse(stripped.toString())).toEqual({ id: 3, result: { x: 'y' } });
  });

  it('is null for browser-level messages, even when a nested object ends with a sessionId', () => {
    expect(sessionAtTail(b('{"id":1,"result":{}}'))).toBeNull();
    expect(sessionAtTail(b('{"method":"Target.attachedToTarget","params":{"sessionId":"S1"}}'))).toBeNull();
    expect(sessionAtTail(b('{"method":"X","params":{"text":",\\"sessionId\\":\\"S\\"}"}}'))).toBeNull();
  });

  it('falls back to parsing a message whose sessionId is not last, and strips it all the same', () => {
    const m = b('{"sessionId":"S9","id":4,"result":{}}');
    const found = sessionAtTail(m)!;
    expect(found).toEqual({ sessionId: 'S9', at: -1 });
    expect(JSON.parse(stripSession(m, found).toString())).toEqual({ id: 4, result: {} });
  });

  it('reads a response id from the head and nothing from an event', () => {
    expect(idAtHead(b('{"id":1073741824,"result":{}}'))).toBe(1073741824);
    expect(idAtHead(b('{"method":"Page.loadEventFired","params":{}}'))).toBeNull();
  });
});

describe('parseClientFrame', () => {
  it('accepts a well-formed request', () => {
    expect(parseClientFrame(b('{"id":7,"method":"Runtime.evaluate","params":{"expression":"1"},"sessionId":"S"}'))).toEqual({
      ok: true,
      id: 7,
      method: 'Runtime.evaluate',
      sessionId: 'S',
    });
  });

  it.each([
    ['not json', null, -32700],
    ['[1,2]', null, -32700],
    ['{"method":"A.b"}', null, -32600],
    [`{"id":${CLIENT_ID_LIMIT},"method":"A.b"}`, null, -32600],
    ['{"id":-1,"method":"A.b"}', null, -32600],
    ['{"id":1.5,"method":"A.b"}', null, -32600],
    ['{"id":2}', 2, -32600],
    ['{"id":2,"method":""}', 2, -32600],
    ['{"id":3,"method":"A.b","params":[]}', 3, -32600],
    ['{"id":4,"method":"A.b","sessionId":5}', 4, -32600],
  ])('refuses %s', (text, id, code) => {
    expect(parseClientFrame(b(text))).toMatchObject({ ok: false, id, code });
  });
});

describe('withSession / cdpError', () => {
  it('adds the sessionId as the last member without copying the message', () => {
    const m = b('{"id":1,"method":"Browser.getVersion"}  ');
    const parts = withSession(m, 'B1');
    expect(parts[0]!.buffer).toBe(m.buffer);
    expect(JSON.parse(Buffer.concat(parts).toString())).toEqual({ id: 1, method: 'Browser.getVersion', sessionId: 'B1' });
  });

  it('builds errors with and without an id', () => {
    expect(JSON.parse(cdpError(null, -32700, 'bad').toString())).toEqual({ error: { code: -32700, message: 'bad' } });
    expect(JSON.parse(cdpError(3, -32001, 'gone', 'S').toString())).toEqual({ id: 3, error: { code: -32001, message: 'gone' }, sessionId: 'S' });
  });
});
