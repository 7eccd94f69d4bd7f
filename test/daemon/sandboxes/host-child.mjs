// A stand-in daemon for the crash test: opens a sandbox host from the built code, makes one sandbox with a file
// and a background process, prints where its processes are, and waits to be killed.
import { SandboxHost } from '../../../dist/daemon/sandboxes/sandbox-host.js';
import { systemClock } from '../../../dist/shared/clock.js';

const [stateDir, id] = process.argv.slice(2);
const host = await SandboxHost.open({ stateDir, log: () => undefined, clock: systemClock });
const box = await host.create(id);
await box.exec({ command: 'echo before the crash > crash.txt' });
await box.startBackground({ command: 'exec sleep 1000', restart: 'on_wake' });
console.log(JSON.stringify({ pids: box.cgroup.pids(), path: box.cgroup.path }));
setInterval(() => undefined, 1 << 30);
