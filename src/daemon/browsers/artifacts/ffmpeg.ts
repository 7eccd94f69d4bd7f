// Finds the ffmpeg that encodes session recordings: the configured path, else `ffmpeg` on PATH.
import { delimiter, join } from 'node:path';
import { ApiError } from '../../../transport/protocol/errors.js';
import { isExecutable } from '../executable.js';

const INSTALL = 'install the `ffmpeg` package (Debian/Ubuntu: `sudo apt-get install -y ffmpeg`)';
const WITHOUT = 'Or create the session without `recording`.';

/** The ffmpeg to run, or an ApiError naming the package to install. `configured` is the `browsers.ffmpeg` setting. */
export function findFfmpeg(configured: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new ApiError('upstream_unavailable', `Recording needs ffmpeg, but browsers.ffmpeg is ${configured} and there is no executable file there: ${INSTALL} and point browsers.ffmpeg at it.`, {
      next: WITHOUT,
    });
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'ffmpeg'))) return join(dir, 'ffmpeg');
  }
  throw new ApiError('upstream_unavailable', `Recording needs ffmpeg, and this host has none on PATH: ${INSTALL}.`, { next: WITHOUT });
}
