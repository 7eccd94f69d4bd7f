// The tunnel's frames: each type round-trips, and every malformed frame is refused with what is wrong with it.
import { describe, expect, it } from 'vitest';
import { controlFrame, decodeFrame, FRAME, FrameError, heartbeatFrame, streamFrame, textFrame } from '../../../src/transport/tunnel/frames.js';

describe('tunnel frames', () => {
  it('round-trip: control and heartbeat on channel 0, stream (data, input, upload) and text frames on theirs, offsets past 2^32', () => {
    expect(decodeFrame(controlFrame({ op: 'hello', n: 1 }))).toEqual({ type: FRAME.control, channel: 0, json: { op: 'hello', n: 1 } });
    expect(decodeFrame(heartbeatFrame(1_700_000_000_123))).toEqual({ type: FRAME.heartbeat, channel: 0, at: 1_700_000_000_123 });
    const big = 2 ** 40 + 17;
    const data = decodeFrame(streamFrame(FRAME.data, 7, big, Buffer.from('bytes')));
    expect(data).toMatchObject({ type: FRAME.data, channel: 7, offset: big });
    expect((data as { bytes: Buffer }).bytes.toString()).toBe('bytes');
    expect(decodeFrame(streamFrame(FRAME.input, 2 ** 32 - 1, 0, Buffer.alloc(0)))).toMatchObject({ type: FRAME.input, channel: 2 ** 32 - 1, offset: 0 });
    expect(decodeFrame(streamFrame(FRAME.upload, 5, 256 * 1024, Buffer.from('img')))).toMatchObject({ type: FRAME.upload, channel: 5, offset: 256 * 1024 });
    expect(decodeFrame(textFrame(3, { type: 'gap', lost_bytes: 5 }))).toEqual({ type: FRAME.text, channel: 3, json: { type: 'gap', lost_bytes: 5 } });
    expect(decodeFrame(textFrame(3, '{"type":"error"}'))).toMatchObject({ json: { type: 'error' } });
  });

  it('refuse what does not follow the framing, saying what is wrong', () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from([1, 0]), /shorter than its 5-byte header/],
      [Buffer.from([0x42, 0, 0, 0, 0]), /unknown frame type 0x42/],
      [Buffer.from([FRAME.control, 0, 0, 0, 1, 0x7b, 0x7d]), /on channel 1 \(they belong on channel 0\)/],
      [Buffer.from([FRAME.data, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /channel 0 is the tunnel itself/],
      [Buffer.from([FRAME.data, 0, 0, 0, 1, 0, 0]), /without its 8-byte offset/],
      [Buffer.from([FRAME.control, 0, 0, 0, 0, 0x7b]), /body is not JSON/],
      [Buffer.concat([heartbeatFrame(1), Buffer.from([1])]), /bytes after its time/],
      [Buffer.from([FRAME.data, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /past 2\^53/],
    ];
    for (const [frame, why] of cases) {
      expect(() => decodeFrame(frame)).toThrow(FrameError);
      expect(() => decodeFrame(frame)).toThrow(why);
    }
  });
});
