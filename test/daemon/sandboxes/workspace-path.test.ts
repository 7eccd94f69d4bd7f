import { describe, expect, it } from 'vitest';
import { workspacePath } from '../../../src/daemon/sandboxes/workspace-path.js';

describe('workspacePath', () => {
  it('reads relative, ./ and /workspace/ paths as the same components', () => {
    expect(workspacePath('a/b.txt')).toEqual(['a', 'b.txt']);
    expect(workspacePath('./a//b.txt')).toEqual(['a', 'b.txt']);
    expect(workspacePath('/workspace/a/b.txt')).toEqual(['a', 'b.txt']);
    expect(workspacePath('/workspace')).toEqual([]);
    expect(workspacePath('')).toEqual([]);
  });

  it('refuses .., other absolute paths, NUL bytes and over-long names rather than cleaning them', () => {
    for (const bad of ['..', 'a/../b', '/etc/passwd', '/workspacex/a', 'a\0', 'x'.repeat(256), 'a/'.repeat(2100)]) {
      expect(() => workspacePath(bad), bad).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });
});
