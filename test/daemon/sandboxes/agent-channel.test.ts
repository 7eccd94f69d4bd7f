import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AgentChannel, MAX_LINE, type AgentMessage } from '../../../src/daemon/sandboxes/agent-channel.js';

function channel() {
  const toAgent = new PassThrough();
  const fromAgent = new PassThrough();
  const ch = new AgentChannel(toAgent, fromAgent);
  const messages: AgentMessage[] = [];
  const violations: string[] = [];
  ch.on('message', (m) => messages.push(m));
  ch.on('violation', (v) => violations.push(v));
  return { ch, toAgent, fromAgent, messages, violations };
}

describe('AgentChannel', () => {
  it('parses lines split across chunks and sends commands as lines', () => {
    const { ch, toAgent, fromAgent, messages } = channel();
    fromAgent.write('{"t":"spawned","id":1,');
    fromAgent.write('"pid":7}\n{"t":"out","id":1,"fd":1,"b64":"aGk="}\n');
    expect(messages).toEqual([{ t: 'spawned', id: 1, pid: 7 }, { t: 'out', id: 1, fd: 1, b64: 'aGk=' }]);
    ch.send({ t: 'release', id: 1 });
    expect(String(toAgent.read())).toBe('{"t":"release","id":1}\n');
  });

  it('stops trusting an agent that breaks the protocol: bad JSON, a bad shape, an endless line', () => {
    for (const bad of ['not json\n', '{"t":"spawned","id":1,"pid":-1}\n', '{"t":"out","id":1,"fd":3,"b64":""}\n', '{"t":"exit","id":1,"code":"0","signal":null}\n', '{"t":"nope"}\n']) {
      const { fromAgent, messages, violations } = channel();
      fromAgent.write(bad);
      fromAgent.write('{"t":"spawned","id":2,"pid":8}\n');
      expect(messages, bad).toEqual([]);
      expect(violations, bad).toHaveLength(1);
    }
    const { fromAgent, violations } = channel();
    fromAgent.write('x'.repeat(MAX_LINE + 1));
    expect(violations[0]).toMatch(/without a newline/);
  });
});
