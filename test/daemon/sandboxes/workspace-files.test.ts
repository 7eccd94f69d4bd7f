// The files API never leaves /workspace: links the sandbox made (to /etc/passwd, to another sandbox), `..`,
// absolute paths, FIFOs and hard links are refused, tried against a real sandbox's own doing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';
import { newId, openHost, type Harness } from './harness.js';

let h: Harness;
let box: Sandbox;
let other: Sandbox;
beforeAll(async () => {
  h = await openHost();
  [box, other] = await Promise.all([h.host.create(newId(), { max_file_bytes: 1000 }), h.host.create(newId())]);
  await other.exec({ command: 'echo other-secret > secret' });
  const otherSecret = join(other.disk.mountPoint, 'secret');
  // Everything a sandbox's code can lay in the daemon's way.
  await box.exec({ command: `echo hi > a.txt; mkdir -p d/e; echo deep > d/e/f.txt; ln -s /etc/passwd passwd; ln -s /etc etc; ln -s ${otherSecret} theirs; ln -s ${other.disk.mountPoint} theirdir; mkfifo pipe` });
});
afterAll(async () => h?.close());

describe('workspace files', () => {
  it('reads, writes, lists and removes inside /workspace, owned by the sandbox user', async () => {
    expect(box.files.read('a.txt').toString()).toBe('hi\n');
    expect(box.files.read('/workspace/d/e/f.txt').toString()).toBe('deep\n');
    box.files.write('new/dir/g.txt', Buffer.from('made by the daemon'));
    const r = await box.exec({ command: 'cat new/dir/g.txt; echo; stat -c %u new/dir/g.txt new/dir; echo more >> new/dir/g.txt && echo appended' });
    expect(r.stdout).toBe('made by the daemon\n1000\n1000\nappended\n');
    expect(box.files.list('').map((e) => `${e.name}:${e.type}`)).toEqual(expect.arrayContaining(['a.txt:file', 'd:dir', 'passwd:symlink', 'pipe:other']));
    expect(box.files.isDirectory('d')).toBe(true);
    expect(box.files.isDirectory('a.txt')).toBe(false);
    box.files.remove('new');
    expect(() => box.files.read('new/dir/g.txt')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('never follows a link the sandbox made: to /etc/passwd, through a linked /etc, to another sandbox', () => {
    for (const path of ['passwd', 'etc/passwd', 'theirs', 'theirdir/secret', 'etc']) {
      expect(() => box.files.read(path), path).toThrow(expect.objectContaining({ code: 'forbidden' }));
    }
    expect(() => box.files.write('etc/evil', Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => box.files.write('theirs', Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => box.files.list('theirdir')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(readFileSync(join(other.disk.mountPoint, 'secret'), 'utf8')).toBe('other-secret\n');
  });

  it('removes a link, not what it points to', async () => {
    box.files.remove('theirs');
    expect(readFileSync(join(other.disk.mountPoint, 'secret'), 'utf8')).toBe('other-secret\n');
    await box.exec({ command: `mkdir -p trap && ln -s ${other.disk.mountPoint} trap/link` });
    box.files.remove('trap');
    expect(readFileSync(join(other.disk.mountPoint, 'secret'), 'utf8')).toBe('other-secret\n');
  });

  it('refuses `..`, absolute paths outside /workspace and NUL bytes', () => {
    for (const path of ['../x', 'd/../../x', '/etc/passwd', '/workspace/../etc/passwd', 'a\0b']) {
      expect(() => box.files.read(path), path).toThrow(expect.objectContaining({ code: 'invalid_request' }));
      expect(() => box.files.write(path, Buffer.from('x')), path).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
    expect(() => box.files.remove('')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('does not hang on a FIFO and refuses what is not a regular file', () => {
    expect(() => box.files.read('pipe')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => box.files.write('pipe', Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => box.files.read('d')).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('holds files to the plan\'s size limit, both ways', async () => {
    expect(() => box.files.write('big', Buffer.alloc(1001))).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
    await box.exec({ command: 'head -c 2000 /dev/zero > big' });
    expect(() => box.files.read('big')).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
    box.files.write('ok', Buffer.alloc(1000));
  });
});
