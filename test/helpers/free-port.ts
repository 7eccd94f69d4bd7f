// Test helper: a loopback TCP port nothing else will take before the test's daemon binds it.
//
// A port from `listen(0)` is in the kernel's ephemeral range, so between closing it and the daemon binding it, any
// outgoing connection on the machine may be given it as its local port (EADDRINUSE, seen in CI). These ports come from
// below that range (32768 up on Linux), in a block of its own for each vitest worker, so neither outgoing
// connections nor another worker's tests can be handed one.
import { createServer } from 'node:net';
import { once } from 'node:events';

const BLOCK = 1000;
const FIRST = 20_000;
const worker = Number(process.env.VITEST_POOL_ID ?? 1) % 12;
let next = FIRST + worker * BLOCK;

async function bindable(port: number): Promise<boolean> {
  const s = createServer();
  s.listen(port, '127.0.0.1');
  const ok = await Promise.race([once(s, 'listening').then(() => true), once(s, 'error').then(() => false)]);
  if (ok) await new Promise((r) => s.close(r));
  return ok;
}

export async function freePort(): Promise<number> {
  const end = FIRST + (worker + 1) * BLOCK;
  while (next < end) {
    const port = next++;
    if (await bindable(port)) return port;
  }
  throw new Error(`test worker ${worker} used every port of its block ${end - BLOCK}–${end - 1}`);
}
