// Runs every benchmark and prints one line per figure; exits 1 if a figure misses its target.
import { run as sessionCreate } from './session-create.mjs';
import { run as cliStartup } from './cli-startup.mjs';
import { run as daemonScale } from './daemon-scale.mjs';
import { run as serialReplay } from './serial-replay.mjs';
import { run as serialThroughput } from './serial-throughput.mjs';
import { run as serialLatency } from './serial-latency.mjs';
import { run as remote } from './remote.mjs';
import { run as browserCreate } from './browser-create.mjs';
import { run as browserCdp } from './browser-cdp.mjs';
import { run as browserConcurrent } from './browser-concurrent.mjs';
import { run as consoleEcho } from './console-echo.mjs';
import { run as consoleThroughput } from './console-throughput.mjs';
import { run as consoleStartup } from './console-startup.mjs';

console.log(`fbay benchmarks — node ${process.version}, ${new Date().toISOString()}`);
const results = [];
for (const bench of [sessionCreate, cliStartup, daemonScale, serialReplay, remote, serialThroughput, serialLatency, browserCreate, browserCdp, browserConcurrent, consoleEcho, consoleThroughput, consoleStartup]) results.push(await bench());
process.exitCode = results.every(Boolean) ? 0 : 1;
