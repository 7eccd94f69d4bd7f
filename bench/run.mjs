// Runs every benchmark and prints one line per figure; exits 1 if a figure misses its target.
import { run as sessionCreate } from './session-create.mjs';
import { run as coreScale } from './core-scale.mjs';
import { run as cliStartup } from './cli-startup.mjs';
import { run as daemonScale } from './daemon-scale.mjs';
import { run as serialReplay } from './serial-replay.mjs';
import { run as serialThroughput } from './serial-throughput.mjs';
import { run as serialLatency } from './serial-latency.mjs';
import { run as serialExpect } from './serial-expect.mjs';
import { run as remote } from './remote.mjs';
import { run as browserCreate } from './browser-create.mjs';
import { run as browserCdp } from './browser-cdp.mjs';
import { run as browserConcurrent } from './browser-concurrent.mjs';
import { run as browserExtras } from './browser-extras.mjs';
import { run as consoleEcho } from './console-echo.mjs';
import { run as consoleThroughput } from './console-throughput.mjs';
import { run as consoleStartup } from './console-startup.mjs';
import { run as flash } from './flash.mjs';
import { run as dashboard } from './dashboard.mjs';
import { run as bridge } from './bridge.mjs';
import { run as sandbox } from './sandbox.mjs';
import { run as sandboxDaemonRss } from './sandbox-daemon-rss.mjs';
import { run as coordinator } from './coordinator.mjs';
import { run as join } from './join.mjs';

console.log(`fbay benchmarks — node ${process.version}, ${new Date().toISOString()}`);
const results = [];
for (const bench of [sessionCreate, coreScale, cliStartup, daemonScale, serialReplay, remote, serialThroughput, serialLatency, serialExpect, browserCreate, browserCdp, browserConcurrent, browserExtras, consoleEcho, consoleThroughput, consoleStartup, flash, dashboard, sandbox, sandboxDaemonRss, bridge, coordinator, join]) results.push(await bench());
process.exitCode = results.every(Boolean) ? 0 : 1;
