import { describe, expect, it } from 'vitest';
import { renderFields, renderTable } from '../../../src/cli/output/table.js';

describe('renderTable', () => {
  it('pads columns to their widest cell, upper-cases headers and trims line ends', () => {
    expect(renderTable(['id', 'state'], [['ses_1', 'idle'], ['ses_22', 'active']])).toBe(
      'ID       STATE\nses_1    idle\nses_22   active\n',
    );
  });

  it('counts code points, so non-ASCII cells still line up', () => {
    const out = renderTable(['a', 'b'], [['é→', 'x'], ['abc', 'y']]).split('\n');
    expect(out[1]!.indexOf('x')).toBe(out[2]!.indexOf('y'));
  });

  it('prints just the header for no rows', () => {
    expect(renderTable(['id'], [])).toBe('ID\n');
  });
});

describe('renderFields', () => {
  it('aligns values after the longest label', () => {
    expect(renderFields([['id', 'x'], ['idle timeout', '30s']])).toBe('id            x\nidle timeout  30s\n');
  });
});
