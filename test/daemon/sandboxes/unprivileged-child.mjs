// Run as an unprivileged user by unprivileged.test.ts: a sandbox host from the built code, one sandbox, and
// what it reports and does, as JSON lines.
import { SandboxHost } from '../../../dist/daemon/sandboxes/sandbox-host.js';
import { systemClock } from '../../../dist/shared/clock.js';

const host = await SandboxHost.open({ stateDir: process.argv[2], log: () => undefined, clock: systemClock });
const out = (o) => console.log(JSON.stringify(o));
out(host.isolation());
const box = await host.create('ses_unprivileged');
out(box.limits);
out(await box.exec({ command: 'id -u; echo hi > f; cat f' }));
out({ file: box.files.read('f').toString() });
out(await box.exec({ command: 'setsid sleep 100 & sleep 100', timeout_s: 0.3 }));
await box.freeze();
out({ state: box.state });
await box.thaw();
out(await box.exec({ command: 'echo thawed' }));
await host.close();
