// What a sandbox can reach, tried from inside a real one: not the daemon's state, socket or keys, not another
// sandbox, not the host's network; and when namespaces are refused, the honest answer.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/daemon/sandboxes/sandbox.js';
import { newId, openHost, type Harness } from './harness.js';

let h: Harness;
let a: Sandbox;
let b: Sandbox;
const servers: Server[] = [];

function listen(host: string): Promise<number> {
  const server = createServer((s) => s.end('hello from the host\n'));
  servers.push(server);
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  h = await openHost();
  // What a daemon keeps in its state dir: API keys, its socket.
  mkdirSync(join(h.stateDir, 'state'), { recursive: true });
  writeFileSync(join(h.stateDir, 'state', 'keys'), 'key_secret');
  [a, b] = await Promise.all([h.host.create(newId()), h.host.create(newId())]);
});
afterAll(async () => {
  for (const s of servers) s.close();
  await h?.close();
});

describe('isolation', () => {
  it('reports namespaces, the runtime and what applied', () => {
    const i = a.isolation;
    expect(i.level).toBe('namespaces');
    expect(i.reason).toBeNull();
    expect(i.runtime).toEqual({ name: 'bun', version: '1.4.5' });
    for (const m of ['user namespace', 'pid namespace', 'mount namespace', 'ipc namespace', 'uts namespace', 'network namespace (loopback only)']) expect(i.mechanisms).toContain(m);
    expect(i.missing).toEqual([]);
  });

  it('cannot see the daemon\'s state dir, keys or socket, nor another sandbox\'s files', async () => {
    await b.exec({ command: 'echo b-secret > secret' });
    const bFile = join(b.disk.mountPoint, 'secret');
    const r = await a.exec({
      command: `for p in ${h.stateDir} ${h.stateDir}/state/keys ${h.stateDir}/fbayd.sock ${bFile}; do cat $p 2>/dev/null && echo "READ $p"; ls $p >/dev/null 2>&1 && echo "SAW $p"; done; echo done`,
    });
    expect(r.stdout).toBe('done\n');
    expect((await a.exec({ command: 'cat /workspace/secret 2>&1' })).stdout).toContain('No such file');
  });

  it('sees only its own processes, runs as an unprivileged user, and cannot read /etc/shadow', async () => {
    const r = await a.exec({ command: 'id -u; hostname; ps -e -o pid=,comm= | wc -l; cat /etc/shadow 2>&1 | head -1; cat /proc/self/cgroup' });
    const [uid, hostname, count, shadow, ...cgroups] = r.stdout.trim().split('\n');
    expect(uid).toBe('1000');
    expect(hostname).toBe('sandbox');
    expect(Number(count)).toBeLessThanOrEqual(6); // init, agent, the exec's sh, ps, wc, and head
    expect(shadow).toMatch(/Permission denied/);
    // Its cgroup namespace is rooted at its own group: no host path, no daemon's name, no id.
    expect(cgroups.join('\n')).not.toMatch(/fbay|ses_|process_api/);
    expect(cgroups.find((l) => l.startsWith('0::'))).toMatch(/^0::\/exec-\d+$/);
  });

  it('cannot write outside /workspace; its /tmp is its own', async () => {
    const r = await a.exec({ command: 'for p in /etc/x /usr/x /x /opt/fbay/x /run/x; do touch $p 2>/dev/null && echo "WROTE $p"; done; echo a > /tmp/mine; echo ok' });
    expect(r.stdout).toBe('ok\n');
    expect((await b.exec({ command: 'cat /tmp/mine 2>&1' })).stdout).toMatch(/No such file/);
  });

  it('has only its own loopback: the daemon\'s TCP port and a CDP-like port on the host are out of reach', async () => {
    const daemonPort = await listen('127.0.0.1');
    const cdpPort = await listen('127.0.0.1');
    const external = Object.values(networkInterfaces()).flat().find((n) => n && n.family === 'IPv4' && !n.internal)?.address;
    const targets = [`127.0.0.1:${daemonPort}`, `127.0.0.1:${cdpPort}`, ...(external ? [`${external}:${await listen(external)}`] : [])];
    const code = `
      const out = [];
      for (const t of ${JSON.stringify(targets)}) {
        const [hostname, port] = t.split(':');
        try { const s = await Bun.connect({ hostname, port: Number(port), socket: { data() {} } }); s.end(); out.push('CONNECTED ' + t); }
        catch (e) { out.push(e.code ?? e.message); }
      }
      console.log(out.join(' '));
      console.log(require('node:os').networkInterfaces() ? Object.keys(require('node:os').networkInterfaces()).join(',') : '');`;
    const r = await a.exec({ code, timeout_s: 10 });
    // One error per target (ECONNREFUSED: nothing listens on the sandbox's own loopback; no route elsewhere).
    expect(r.stdout.split('\n')[0]!.split(' ')).toEqual(targets.map(() => expect.stringMatching(/^E[A-Z]+$/)));
    expect(r.stdout.split('\n')[1]).toBe('lo');
  });
});

describe('without namespaces', () => {
  it('answers 503 isolation_unavailable with the reason', async () => {
    const weak = await openHost({ bwrapPath: '/nonexistent/bwrap' });
    try {
      expect(weak.host.isolation()).toMatchObject({ level: 'process', reason: expect.stringContaining('/nonexistent/bwrap') });
      await expect(weak.host.create(newId())).rejects.toMatchObject({ status: 503, code: 'isolation_unavailable', message: expect.stringContaining('/nonexistent/bwrap') });
    } finally {
      await weak.close();
    }
  });

  it('runs at the weaker process level when sandbox.isolation allows it, and says so', async () => {
    const weak = await openHost({ bwrapPath: '/nonexistent/bwrap', isolation: 'process' });
    try {
      const box = await weak.host.create(newId());
      expect(box.isolation.level).toBe('process');
      expect(box.isolation.missing.join(' ')).toMatch(/namespaces/);
      const r = await box.exec({ code: 'await Bun.write("f.txt", "x"); console.log(process.cwd() === process.env.HOME, process.getuid())' });
      expect(r.stdout).toBe(`true ${box.owner!.uid}\n`);
      expect(box.files.read('f.txt').toString()).toBe('x');
    } finally {
      await weak.close();
    }
  });
});

describe('outbound network (sandbox.network = outbound)', () => {
  it('reaches out through slirp4netns, but never to the host\'s loopback', async () => {
    if (!existsSync('/usr/bin/slirp4netns')) throw new Error('This test needs slirp4netns at /usr/bin/slirp4netns (apt-get install slirp4netns).');
    const external = Object.values(networkInterfaces()).flat().find((n) => n && n.family === 'IPv4' && !n.internal)?.address;
    if (!external) throw new Error('This test needs a non-loopback IPv4 address on this host to stand in for the outside world.');
    const outside = createHttpServer((_req, res) => res.end('outside world'));
    await new Promise<void>((resolve) => outside.listen(0, external, resolve));
    const loopPort = await listen('127.0.0.1');
    const net = await openHost({ network: 'outbound' });
    try {
      expect(net.host.isolation().mechanisms.join(' ')).toMatch(/slirp4netns/);
      const box = await net.host.create(newId());
      const url = `http://${external}:${(outside.address() as { port: number }).port}/`;
      const r = await box.exec({
        code: `console.log(await (await fetch(${JSON.stringify(url)})).text());
          for (const host of ['127.0.0.1', '10.0.2.2']) {
            try { await Bun.connect({ hostname: host, port: ${loopPort}, socket: { data() {} } }); console.log('CONNECTED ' + host); }
            catch (e) { console.log('refused ' + host); }
          }
          console.log(require('node:fs').readFileSync('/etc/resolv.conf', 'utf8').trim());`,
        timeout_s: 20,
      });
      expect(r.stdout).toBe('outside world\nrefused 127.0.0.1\nrefused 10.0.2.2\nnameserver 10.0.2.3\n');
    } finally {
      outside.close();
      await net.close();
    }
  });

  it('reports the network missing when slirp4netns is not there', async () => {
    const net = await openHost({ network: 'outbound', slirp4netnsPath: '/nonexistent/slirp4netns' });
    try {
      expect(net.host.isolation().missing).toEqual([expect.stringMatching(/^network: .*slirp4netns is not installed at \/nonexistent\/slirp4netns/)]);
      const box = await net.host.create(newId());
      expect((await box.exec({ command: 'ls /sys/class/net 2>/dev/null || cat /proc/net/dev | tail -n +3 | cut -d: -f1' })).stdout.trim()).toBe('lo');
    } finally {
      await net.close();
    }
  });
});
