import { describe, expect, it } from 'vitest';
import { SlipDecoder, slipEncode } from '../../../src/daemon/flash/slip.js';

function decode(chunks: Buffer[]) {
  const packets: string[] = [];
  let noise = '';
  const d = new SlipDecoder(
    (p) => packets.push(p.toString('hex')),
    (b) => (noise += b.toString('latin1')),
  );
  for (const c of chunks) d.push(c);
  return { packets, noise };
}

describe('SLIP', () => {
  it('escapes 0xC0 and 0xDB and round-trips any bytes, split anywhere', () => {
    const packet = Buffer.from([0x01, 0xc0, 0x02, 0xdb, 0xdc, 0xdd, 0xc0]);
    const framed = slipEncode(packet);
    expect(framed.toString('hex')).toBe('c001dbdc02dbdddcdddbdcc0');
    for (let cut = 1; cut < framed.length; cut++) {
      expect(decode([framed.subarray(0, cut), framed.subarray(cut)]).packets).toEqual([packet.toString('hex')]);
    }
  });

  it('passes bytes between packets on as noise (a boot log), and treats back-to-back ends as one start', () => {
    const { packets, noise } = decode([Buffer.from('rst:0x1\r\n'), slipEncode(Buffer.from([1, 2])), Buffer.from('more'), Buffer.from([0xc0, 0xc0, 3, 0xc0])]);
    expect(packets).toEqual(['0102', '03']);
    expect(noise).toBe('rst:0x1\r\nmore');
  });

  it('drops a frame with a bad escape and recovers on the next', () => {
    const { packets } = decode([Buffer.from([0xc0, 1, 0xdb, 0x00, 2, 0xc0]), slipEncode(Buffer.from([9]))]);
    expect(packets).toEqual(['09']);
  });
});
