// The files API over a sandbox's /workspace, done by the daemon (root, often) on a tree the sandbox's own code
// can change under it. So no path string is ever resolved as a whole: each step opens one component relative to
// the directory already open (/proc/self/fd/N/NAME, an openat) with O_NOFOLLOW, so a symlink the sandbox made —
// to /etc/passwd, to another sandbox — is refused wherever it sits, and swapping a directory mid-walk gains nothing.
import { closeSync, constants as C, fchownSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { ApiError } from '../../transport/protocol/errors.js';
import { workspacePath } from './workspace-path.js';

export interface FileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  modified_at: string;
}

const at = (fd: number, name: string): string => `/proc/self/fd/${fd}/${name}`;
const DIR = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;

function refuse(path: string, err: NodeJS.ErrnoException): never {
  if (err.code === 'ENOENT') throw new ApiError('not_found', `There is no ${path} in /workspace.`);
  if (err.code === 'ELOOP' || err.code === 'ENOTDIR') {
    throw new ApiError('forbidden', `/workspace/${path} goes through a symbolic link or a file, and fbay never follows links the sandbox made; read the link's target by its own path.`);
  }
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') throw new ApiError('payload_too_large', `The sandbox's disk is full; delete files in /workspace to make room.`);
  // A FIFO opened for writing without a reader (we never wait for one), a socket, a device.
  if (err.code === 'ENXIO' || err.code === 'ENODEV') throw new ApiError('forbidden', `/workspace/${path} is not a regular file.`);
  if (err.code === 'EISDIR') throw new ApiError('invalid_request', `/workspace/${path} is a directory.`);
  throw err;
}

export class WorkspaceFiles {
  constructor(
    /** The workspace's host directory (its mount point when it is a disk image). */
    private readonly root: () => string,
    /** The sandbox's user, to own what the daemon creates; null when the daemon is that user. */
    private readonly owner: { uid: number; gid: number } | null,
    private readonly maxBytes: () => number,
  ) {}

  read(path: string): Buffer {
    const parts = workspacePath(path);
    return this.#inParent(parts, false, (dir, name) => {
      const fd = this.#open(dir, name, parts.join('/'), C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
      try {
        const st = this.#regular(fd, parts.join('/'));
        if (st.size > this.maxBytes()) throw new ApiError('payload_too_large', `/workspace/${parts.join('/')} is ${st.size} bytes; the files API reads at most ${this.maxBytes()} bytes. Split it with an exec.`);
        const data = Buffer.allocUnsafe(st.size);
        let n = 0;
        while (n < st.size) {
          const got = readSync(fd, data, n, st.size - n, n);
          if (got === 0) break;
          n += got;
        }
        return data.subarray(0, n);
      } finally {
        closeSync(fd);
      }
    });
  }

  /** An exec's `files`, written before it runs; answers their paths as the sandbox sees them. */
  writeAll(files: { path: string; content: string | Uint8Array }[]): string[] {
    return files.map((f) => {
      this.write(f.path, typeof f.content === 'string' ? Buffer.from(f.content) : f.content);
      return f.path.startsWith('/workspace') ? f.path : `/workspace/${f.path.replace(/^\.?\/+/, '')}`;
    });
  }

  write(path: string, bytes: Uint8Array): void {
    const parts = workspacePath(path);
    if (parts.length === 0) throw new ApiError('invalid_request', 'Give a file path inside /workspace to write.');
    if (bytes.length > this.maxBytes()) throw new ApiError('payload_too_large', `The file is ${bytes.length} bytes; this plan allows files of at most ${this.maxBytes()} bytes.`);
    this.#inParent(parts, true, (dir, name) => {
      const fd = this.#open(dir, name, parts.join('/'), C.O_WRONLY | C.O_CREAT | C.O_NOFOLLOW | C.O_NONBLOCK, 0o644);
      try {
        const st = this.#regular(fd, parts.join('/'));
        // A hard link would make the daemon write wherever its other name is; the sandbox cannot make one on its
        // own filesystem to anything outside, but a plain-directory workspace shares one with the host.
        if (st.nlink > 1) throw new ApiError('forbidden', `/workspace/${parts.join('/')} has other hard links; fbay does not write through them.`);
        ftruncateSync(fd, 0);
        for (let n = 0; n < bytes.length; ) n += writeSync(fd, bytes, n, bytes.length - n, n);
        if (this.owner && st.uid !== this.owner.uid) fchownSync(fd, this.owner.uid, this.owner.gid);
      } catch (err) {
        refuse(parts.join('/'), err as NodeJS.ErrnoException);
      } finally {
        closeSync(fd);
      }
    });
  }

  list(path = ''): FileEntry[] {
    const parts = workspacePath(path);
    const fd = this.#walk(parts, false);
    try {
      return readdirSync(at(fd, '')).sort().map((name) => {
        const st = lstatSync(at(fd, name));
        const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
        return { name, type, size: st.size, modified_at: st.mtime.toISOString() };
      });
    } finally {
      closeSync(fd);
    }
  }

  /** A file or a directory: what `GET …/files/{path}` answers. */
  isDirectory(path: string): boolean {
    const parts = workspacePath(path);
    if (parts.length === 0) return true;
    return this.#inParent(parts, false, (dir, name) => {
      try {
        return lstatSync(at(dir, name)).isDirectory();
      } catch (err) {
        return refuse(parts.join('/'), err as NodeJS.ErrnoException);
      }
    });
  }

  remove(path: string): void {
    const parts = workspacePath(path);
    if (parts.length === 0) throw new ApiError('invalid_request', 'Give a path inside /workspace to delete; /workspace itself stays.');
    this.#inParent(parts, false, (dir, name) => {
      try {
        const st = lstatSync(at(dir, name));
        if (st.isDirectory()) removeTree(dir, name);
        else unlinkSync(at(dir, name));
      } catch (err) {
        refuse(parts.join('/'), err as NodeJS.ErrnoException);
      }
    });
  }

  /** Opens the directory holding the last component and runs `fn` with it. */
  #inParent<T>(parts: string[], create: boolean, fn: (dir: number, name: string) => T): T {
    const dir = this.#walk(parts.slice(0, -1), create);
    try {
      return fn(dir, parts.at(-1)!);
    } finally {
      closeSync(dir);
    }
  }

  #walk(parts: string[], create: boolean): number {
    let fd = openSync(this.root(), DIR);
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      let next: number;
      try {
        next = openSync(at(fd, name), DIR);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) {
          closeSync(fd);
          refuse(parts.slice(0, i + 1).join('/'), err as NodeJS.ErrnoException);
        }
        try {
          mkdirSync(at(fd, name), 0o755);
          next = openSync(at(fd, name), DIR);
          if (this.owner) fchownSync(next, this.owner.uid, this.owner.gid);
        } catch (err2) {
          closeSync(fd);
          refuse(parts.slice(0, i + 1).join('/'), err2 as NodeJS.ErrnoException);
        }
      }
      closeSync(fd);
      fd = next;
    }
    return fd;
  }

  #open(dir: number, name: string, path: string, flags: number, mode?: number): number {
    try {
      return openSync(at(dir, name), flags, mode);
    } catch (err) {
      return refuse(path, err as NodeJS.ErrnoException);
    }
  }

  #regular(fd: number, path: string) {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ApiError(st.isDirectory() ? 'invalid_request' : 'forbidden', `/workspace/${path} is ${st.isDirectory() ? 'a directory' : 'not a regular file'}.`);
    return st;
  }
}

/** Deletes a directory tree below an open directory without following any link inside it. */
function removeTree(parent: number, name: string): void {
  const fd = openSync(at(parent, name), DIR);
  try {
    for (const entry of readdirSync(at(fd, ''), { withFileTypes: true })) {
      if (entry.isDirectory()) removeTree(fd, entry.name);
      else unlinkSync(at(fd, entry.name));
    }
  } finally {
    closeSync(fd);
  }
  rmdirSync(at(parent, name));
}
