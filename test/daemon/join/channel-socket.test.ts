// A tunnel channel as a relay client: its bytes go out as data frames at their offsets (gaps move them on), only
// what concerns the coordinator's clients is forwarded, and input waits while the relay has it paused.
import { describe, expect, it } from 'vitest';
import { ChannelSocket, type TunnelSender } from '../../../src/daemon/join/channel-socket.js';
import { decodeFrame, FRAME, MAX_CHUNK_BYTES } from '../../../src/transport/tunnel/frames.js';

function tunnel() {
  const frames: Buffer[] = [];
  const sender: TunnelSender = { send: (frame, done) => (frames.push(frame), done?.(), true), bufferedAmount: 0 };
  return { sender, frames: () => frames.map(decodeFrame) };
}

describe('ChannelSocket', () => {
  it('numbers output from its start offset, splits big replays, and a gap moves the numbering on', () => {
    const t = tunnel();
    const s = new ChannelSocket(t.sender, 4, 100);
    s.send(Buffer.from('abc'), { binary: true });
    s.send(JSON.stringify({ type: 'gap', lost_bytes: 10 }));
    s.send(Buffer.alloc(MAX_CHUNK_BYTES + 1, 1), { binary: true });
    const [a, gap, big1, big2] = t.frames();
    expect(a).toMatchObject({ type: FRAME.data, channel: 4, offset: 100 });
    expect(gap).toMatchObject({ type: FRAME.text, channel: 4, json: { type: 'gap', lost_bytes: 10 } });
    expect(big1).toMatchObject({ type: FRAME.data, offset: 113 });
    expect(big2).toMatchObject({ type: FRAME.data, offset: 113 + MAX_CHUNK_BYTES });
  });

  it("keeps this host's session states and flash progress to itself (the job goes to the coordinator on its own), and forwards errors", () => {
    const t = tunnel();
    const s = new ChannelSocket(t.sender, 1, 0);
    s.send(JSON.stringify({ type: 'state', state: 'active' }));
    s.send(JSON.stringify({ type: 'ended', reason: 'user_ended' }));
    s.send(JSON.stringify({ type: 'error', code: 'x', error: 'y' }));
    s.send(JSON.stringify({ type: 'flash', phase: 'writing' }));
    expect(t.frames().map((f) => (f as { json: { type: string } }).json.type)).toEqual(['error']);
  });

  it('holds input while paused, in order, and is closed past its bound', () => {
    const s = new ChannelSocket(tunnel().sender, 1, 0);
    const got: string[] = [];
    const closed: number[] = [];
    s.on('message', (b: Buffer) => got.push(b.toString()));
    s.on('close', (code: number) => closed.push(code));
    s.input(Buffer.from('a'));
    s.pause();
    s.input(Buffer.from('b'));
    s.input(Buffer.from('c'));
    expect(got).toEqual(['a']);
    s.resume();
    expect(got).toEqual(['a', 'b', 'c']);
    s.pause();
    s.input(Buffer.alloc(5 * 1024 * 1024));
    expect(closed).toEqual([1009]);
    s.input(Buffer.from('d'));
    expect(got).toHaveLength(3);
  });
});
