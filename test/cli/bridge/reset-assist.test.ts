import { describe, expect, it } from 'vitest';
import { EN_SAMPLE_MS, ResetAssist } from '../../../src/cli/bridge/reset-assist.js';

/** Runs esptool's ClassicReset as line changes (with its repeated DTR after each RTS), `gap` ms between DTR on and RTS off. */
function classic(gap: number): boolean[] {
  let now = 0;
  const assist = new ResetAssist(() => now);
  const out: boolean[] = [];
  const step = (line: 'dtr' | 'rts', on: boolean, after = 0) => {
    now += after;
    out.push(assist.change(line, on));
  };
  step('dtr', false);
  step('rts', true);
  step('dtr', false); // esptool's repeat
  step('dtr', true, 100);
  step('rts', false, gap);
  step('dtr', true); // the repeat
  step('dtr', false, 50);
  return out;
}

describe('ResetAssist', () => {
  it('asks for nothing when the bootloader entry came in time for the chip', () => {
    expect(classic(0)).not.toContain(true);
    expect(classic(EN_SAMPLE_MS)).not.toContain(true);
  });

  it("asks for the host's bootloader reset once, at RTS off, when the steps came too far apart (pyserial's pace)", () => {
    expect(classic(100)).toEqual([false, false, false, false, true, false, false]);
  });

  it('leaves other line changes alone: a hard reset, or DTR toggled with EN never held low', () => {
    let now = 0;
    const assist = new ResetAssist(() => now);
    const changes: Array<['dtr' | 'rts', boolean]> = [['dtr', false], ['rts', true], ['rts', false], ['dtr', true], ['rts', false], ['dtr', false]];
    for (const [line, on] of changes) {
      now += 100;
      expect(assist.change(line, on)).toBe(false);
    }
  });
});
