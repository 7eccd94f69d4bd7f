// A path the API was given, as components under /workspace; anything that would leave it is refused, not cleaned.
import { ApiError } from '../../transport/protocol/errors.js';

const MAX_PATH = 4096;
const MAX_NAME = 255;

/**
 * `a/b.txt`, `/workspace/a/b.txt` and `./a/b.txt` are the same file. `..` anywhere, any other absolute path, NUL
 * bytes and over-long names are errors: a path that means something else than it says is a mistake or an attack.
 */
export function workspacePath(input: string): string[] {
  if (typeof input !== 'string') throw new ApiError('invalid_request', 'A file path must be a string.');
  if (input.length > MAX_PATH || input.includes('\0')) throw new ApiError('invalid_request', 'A file path must be under 4096 bytes, with no NUL bytes.');
  let rest = input;
  if (rest === '/workspace' || rest.startsWith('/workspace/')) rest = rest.slice('/workspace'.length);
  else if (rest.startsWith('/')) {
    throw new ApiError('invalid_request', `${input} is outside /workspace; give a path relative to /workspace (or starting with /workspace/).`);
  }
  const parts = rest.split('/').filter((p) => p !== '' && p !== '.');
  for (const part of parts) {
    if (part === '..') throw new ApiError('invalid_request', `${input} contains "..": give a path inside /workspace without it.`);
    if (Buffer.byteLength(part) > MAX_NAME) throw new ApiError('invalid_request', `A name in ${input.slice(0, 80)}… is longer than 255 bytes.`);
  }
  return parts;
}
