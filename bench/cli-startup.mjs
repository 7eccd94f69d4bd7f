// Figure: a cold `fbay session list --json` against a running daemon, median < 3× a bare `node -e 0`, same run.
import { execFileSync } from 'node:child_process';
import { FBAY_BIN, startDaemon, median, report } from './lib.mjs';

function timeRun(file, args, env) {
  const t = performance.now();
  execFileSync(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return performance.now() - t;
}

export async function run(rounds = 30) {
  const d = await startDaemon();
  try {
    const env = { ...process.env, FBAY_HOME: d.home };
    await d.api('POST', '/v1/sessions', { board_type: 'virtual' });
    const node = [];
    const list = [];
    timeRun(process.execPath, [FBAY_BIN, 'session', 'list', '--json'], env);
    for (let i = 0; i < rounds; i++) {
      node.push(timeRun(process.execPath, ['-e', '0'], env));
      list.push(timeRun(process.execPath, [FBAY_BIN, 'session', 'list', '--json'], env));
    }
    const ratio = median(list) / median(node);
    return report('cold `fbay session list --json` (median)', median(list), 'ms', {
      baseline: `node -e 0 median ${median(node).toFixed(1)} ms → ${ratio.toFixed(2)}×`,
      target: '< 3× node -e 0',
      ok: ratio < 3,
    });
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
