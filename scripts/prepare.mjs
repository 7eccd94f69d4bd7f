// `npm install`'s prepare: builds dist unless it is newer than every source it is built from. npx runs prepare again
// on first use of a checkout (it installs the project into its cache by link), and a full build is ~20 s there.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.built');
const built = ['dist/cli/main.js', 'dist/daemon/main.js', 'dist/ui/index.html', 'dist/ui-server/first-paint.js'];

/** The newest modification time under `path` (a file or a directory tree). */
function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

const sources = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => newest(join(root, p)));
const fresh = existsSync(stamp) && built.every((f) => existsSync(join(root, f))) && statSync(stamp).mtimeMs >= Math.max(...sources);
if (fresh) {
  console.log('fbay: dist is up to date with src; not rebuilt (npm run build rebuilds it)');
} else {
  const run = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
