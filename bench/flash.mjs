// Figures: flashing a virtual board paced at 921600 baud — the line's utilisation, and `fbay flash` as a user runs it
// against esptool-js (npm) through `fbay serial bridge --rfc2217` on the same daemon, board and image in the same run —
// and unpaced, a 4 MiB image's write speed with verification's share of it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ESPLoader, Transport } from 'esptool-js';
import { FBAY_BIN, report, startDaemon } from './lib.mjs';
import { BoardRegistry } from '../dist/daemon/boards/board-registry.js';
import { flashImages } from '../dist/daemon/flash/flash-images.js';
import { buildAppImage } from '../dist/daemon/flash/image-builder.js';
import { systemClock } from '../dist/shared/clock.js';
import { Rfc2217WebSerialPort } from '../test/helpers/rfc2217-web-serial.mjs';

const MIB = 1024 * 1024;
const BAUD = 921600;
/** Rounds, fbay and esptool-js alternating, so a burst of other work on the machine hits both alike; medians reported. */
const ROUNDS = 3;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** fbay's ROM path in process on the paced line: the bytes it put on the wire, for the line's utilisation. */
async function fbayFlash(registry, image, baud) {
  const port = await registry.open('virtual-1');
  const marks = {};
  try {
    const started = performance.now();
    const result = await flashImages(port, [{ offset: 0x10000, data: image, name: 'app.bin' }], {
      verify: true,
      eraseAll: false,
      baud,
      clock: systemClock,
      onProgress: (p) => (marks[p.phase] ??= performance.now()),
      onLog: () => undefined,
    });
    return { result, ms: performance.now() - started, verifyMs: marks.resetting - marks.verifying };
  } finally {
    await port.close();
  }
}

const fbayCli = (home, args) => spawn(process.execPath, [FBAY_BIN, ...args], { env: { ...process.env, FBAY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });

/** `fbay --json flash ID 0x10000 FILE --baud 921600` as a user runs it: upload, check, write, verify, reset; ms to exit. */
async function fbayFlashCli(home, id, file) {
  const started = performance.now();
  const child = fbayCli(home, ['--json', 'flash', id, '0x10000', file, '--baud', String(BAUD)]);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const [code] = await once(child, 'exit');
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`fbay flash exited ${code}`);
  const job = JSON.parse(out.trim().split('\n').at(-1));
  return { ms, job };
}

/** esptool-js as a user runs it, on the bridge's rfc2217:// URL: main() (reset, sync, chip, stub, baud), writeFlash with compression and MD5, reset. */
async function esptoolJsFlash(url, image) {
  const transport = new Transport(new Rfc2217WebSerialPort(url), false);
  transport.trace = () => undefined; // it logs its read loop's end even with tracing off
  const terminal = { clean() {}, writeLine() {}, write() {} };
  const loader = new ESPLoader({ transport, baudrate: BAUD, romBaudrate: 115200, terminal });
  const started = performance.now();
  await loader.main();
  await loader.writeFlash({
    fileArray: [{ data: new Uint8Array(image), address: 0x10000 }],
    flashSize: 'keep',
    flashMode: 'keep',
    flashFreq: 'keep',
    eraseAll: false,
    compress: true,
    calculateMD5Hash: (data) => createHash('md5').update(data).digest('hex'),
  });
  await loader.after('hard_reset');
  const ms = performance.now() - started;
  await transport.disconnect();
  return ms;
}

/** `fbay --json serial bridge ID --rfc2217 0`, started before the clock runs (as a port esptool opens is there already). */
async function startBridge(home, id) {
  const child = fbayCli(home, ['--json', 'serial', 'bridge', id, '--rfc2217', '0']);
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { url: JSON.parse(line).url, stop: async () => (child.kill('SIGINT'), await once(child, 'exit')) };
}

export async function run() {
  const paced = new BoardRegistry({ virtualBoards: 1, discovery: false, virtualPace: true });
  const app = buildAppImage({ projectName: 'bench', version: '1.0.0', size: MIB, seed: 42 });
  let ok = true;
  try {
    const fbay = [];
    for (let i = 0; i < ROUNDS; i++) fbay.push(await fbayFlash(paced, app, BAUD));
    const util = fbay.map(({ result }) => ((result.wire.tx + result.wire.rx) * 10) / BAUD / result.write_seconds);
    const mid = fbay.find((f, i) => util[i] === median(util)).result;
    const fmt = (values, digits = 1) => values.map((v) => v.toFixed(digits)).join('/');
    ok =
      report('flash 1 MiB app at 921600 baud (paced virtual board): effective rate', median(fbay.map((f) => f.result.kbit_s)), 'kbit/s', {
        baseline: `line utilisation median ${(median(util) * 100).toFixed(1)}% (rounds ${fmt(util.map((u) => u * 100))}%; ${mid.wire.tx + mid.wire.rx} bytes on the wire in ${mid.write_seconds.toFixed(2)} s of writing; ${mid.images[0].compressed} compressed; load average ${loadavg()[0].toFixed(1)})`,
        target: 'line utilisation ≥ 90%',
        ok: median(util) >= 0.9,
      }) && ok;
  } finally {
    paced.close();
  }

  const daemon = await startDaemon({ virtual_pace: true });
  try {
    const file = join(daemon.home, 'bench-app.bin');
    writeFileSync(file, app);
    const { body: session } = await daemon.api('POST', '/v1/sessions', { board_type: 'virtual', idle_timeout_s: 3600 });
    const cli = [];
    const js = [];
    for (let i = 0; i < ROUNDS; i++) {
      cli.push(await fbayFlashCli(daemon.home, session.id, file));
      const bridge = await startBridge(daemon.home, session.id);
      try {
        js.push(await esptoolJsFlash(bridge.url, app));
      } finally {
        await bridge.stop();
      }
    }
    const fmt = (values) => values.map((v) => v.toFixed(2)).join('/');
    const cliS = cli.map((c) => c.ms / 1000);
    const jsS = js.map((ms) => ms / 1000);
    ok =
      report('flash 1 MiB app at 921600 baud: `fbay flash` start to exit', median(cliS), 's', {
        baseline: `esptool-js through \`fbay serial bridge --rfc2217\` median ${median(jsS).toFixed(2)} s, connect to reset, same daemon, board and image, same run (rounds: fbay ${fmt(cliS)}, esptool-js ${fmt(jsS)}; fbay's job ${median(cli.map((c) => c.job.kbit_s))} kbit/s)`,
        target: "≤ esptool-js's",
        ok: median(cliS) <= median(jsS),
      }) && ok;
  } finally {
    await daemon.stop();
  }

  const fast = new BoardRegistry({ virtualBoards: 1, discovery: false });
  try {
    const big = buildAppImage({ projectName: 'big', version: '1.0.0', size: 4 * MIB, seed: 9 });
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await fbayFlash(fast, big, undefined));
    const mbs = runs.map(({ result }) => result.written / 1e6 / result.write_seconds);
    const share = runs.map(({ result, verifyMs }) => verifyMs / (result.write_seconds * 1000));
    const mid = runs[share.indexOf(median(share))];
    ok =
      report('flash 4 MiB app, unpaced virtual board: write speed', median(mbs), 'MB/s', {
        baseline: `verification median ${(median(share) * 100).toFixed(1)}% of the write time (${mid.verifyMs.toFixed(0)} ms of ${(mid.result.write_seconds * 1000).toFixed(0)} ms; rounds ${share.map((x) => (x * 100).toFixed(1)).join('/')}%)`,
        target: 'verification < 10% of the write time',
        ok: median(share) < 0.1,
      }) && ok;
  } finally {
    fast.close();
  }
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = (await run()) ? 0 : 1;
