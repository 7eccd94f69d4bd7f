// Figure: `fbay serial expect --since 0` for a line at the end of a 10 MiB transcript, against reading the same
// transcript with `fbay serial cat --since 0` in the same run: matching stays linear, so it costs about a read.
import { execFileSync } from 'node:child_process';
import { FBAY_BIN, startDaemon, median, report } from './lib.mjs';

const MIB = 1024 * 1024;

function timeRun(args, env) {
  const t = performance.now();
  execFileSync(process.execPath, [FBAY_BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * MIB });
  return performance.now() - t;
}

export async function run(rounds = 5) {
  const d = await startDaemon();
  try {
    const env = { ...process.env, FBAY_HOME: d.home };
    const s = (await d.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 })).body;
    execFileSync(process.execPath, [FBAY_BIN, 'serial', 'send', s.id, `flood ${10 * MIB}`], { env });
    execFileSync(process.execPath, [FBAY_BIN, 'serial', 'send', s.id, 'echo the-end'], { env });
    timeRun(['serial', 'expect', s.id, '--since', '0', 'the-end\\r\\n', '--timeout', '2m'], env); // the flood is out
    const cat = [];
    const expect = [];
    for (let i = 0; i < rounds; i++) {
      cat.push(timeRun(['serial', 'cat', s.id, '--since', '0'], env));
      expect.push(timeRun(['serial', 'expect', s.id, '--since', '0', 'the-end\\r\\n', '--timeout', '1m'], env));
    }
    const ratio = median(expect) / median(cat);
    return report('`serial expect --since 0` at the end of a 10 MiB transcript (median)', median(expect), 'ms', {
      baseline: `serial cat --since 0 of the same transcript: median ${median(cat).toFixed(1)} ms → ${ratio.toFixed(2)}×`,
      target: '< 3× the cat',
      ok: ratio < 3,
    });
  } finally {
    await d.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
