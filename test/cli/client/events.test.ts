import { describe, expect, it } from 'vitest';
import { SseParser, subscribeEvents } from '../../../src/cli/client/events.js';
import { DaemonClient } from '../../../src/cli/client/daemon-client.js';
import type { EngineEvent } from '../../../src/transport/protocol/events.js';
import { startFakeDaemon } from '../helpers/fake-daemon.js';
import { aSession } from '../helpers/sessions.js';

describe('SseParser', () => {
  it('parses events, ignoring comments such as pings', () => {
    const p = new SseParser();
    expect(p.push(': ping\n\nevent: state\ndata: {"a":1}\n\n')).toEqual([{ event: 'state', data: '{"a":1}' }]);
  });

  it('joins multi-line data and defaults the event name to message', () => {
    expect(new SseParser().push('data: one\ndata:two\n\n')).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });

  it('handles CRLF, CR and a CRLF split across chunks', () => {
    const p = new SseParser();
    expect(p.push('event: a\r\ndata: 1\r')).toEqual([]);
    expect(p.push('\n\r\nevent: b\rdata: 2\r\r')).toEqual([{ event: 'a', data: '1' }]);
    // The trailing CR might be half of a CRLF: the blank line it ends is only known with the next byte.
    expect(p.push('event: c')).toEqual([{ event: 'b', data: '2' }]);
  });

  it('assembles a message cut at any byte', () => {
    const text = 'event: ended\ndata: {"x":"é"}\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const got = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(got).toEqual([{ event: 'ended', data: '{"x":"é"}' }]);
    }
  });

  it('skips a blank-line block with no data', () => {
    expect(new SseParser().push('event: state\n\n')).toEqual([]);
  });
});

describe('subscribeEvents', () => {
  it('delivers typed events in order, queued until a listener is attached', async () => {
    const fake = await startFakeDaemon();
    try {
      const client = new DaemonClient({ socketPath: fake.socket });
      const subscribed = fake.nextSubscriber();
      const stream = await subscribeEvents(client, 'ses_aaaaaaaaaaaaaaaaaaaaaaaa');
      expect(await subscribed).toBe('/v1/events?session=ses_aaaaaaaaaaaaaaaaaaaaaaaa');
      const session = aSession();
      fake.emit({ type: 'state', session });
      fake.emit({ type: 'ended', session_id: session.id, reason: 'user_ended', session: { ...session, state: 'ended' } });
      const got: EngineEvent[] = [];
      await new Promise<void>((resolve) => {
        stream.onEvent((e) => {
          got.push(e);
          if (got.length === 2) resolve();
        });
      });
      expect(got.map((e) => e.type)).toEqual(['state', 'ended']);
      stream.close();
    } finally {
      await fake.close();
    }
  });

  it('reports the end of the stream', async () => {
    const fake = await startFakeDaemon();
    try {
      const stream = await subscribeEvents(new DaemonClient({ socketPath: fake.socket }));
      const ended = new Promise<void>((resolve) => stream.onEnd(() => resolve()));
      fake.dropStreams();
      await ended;
    } finally {
      await fake.close();
    }
  });
});
