// `fbay remote add` checks what it is given and tries the host before saving it.
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../helpers/io.js';

const KEY = `key_${'k'.repeat(32)}`;
const ACCOUNT = { account: 'alice', tier: 'team', balance_credits: 5, credits_used_total: 0, limits: {} };
const fixture = (name: string) => new URL(`../../transport/reconnect/fixtures/${name}`, import.meta.url).pathname;
let home: string;
const servers: Array<{ close(): void; closeAllConnections(): void }> = [];
beforeEach(() => void (home = mkdtempSync('/tmp/fbay-r-')));
afterEach(() => {
  for (const s of servers.splice(0)) (s.closeAllConnections(), s.close());
  rmSync(home, { recursive: true, force: true });
});

const answer = (req: IncomingMessage, res: ServerResponse) => {
  const ok = req.url === '/v1/auth/me' && req.headers.authorization === `Bearer ${KEY}`;
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? ACCOUNT : { error: 'Invalid or missing API key.', code: 'unauthorized' }));
};

async function host(tls = false): Promise<string> {
  const server = tls ? createHttps({ cert: readFileSync(fixture('cert.pem')), key: readFileSync(fixture('key.pem')) }, answer) : createHttp(answer);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const fbay = (...args: string[]) => run(args, { FBAY_HOME: home });
const saved = () => {
  try {
    return JSON.parse(readFileSync(`${home}/config.json`, 'utf8')).remotes ?? {};
  } catch {
    return {};
  }
};

describe('fbay remote add', () => {
  it('refuses a URL that is not http(s)://HOST:PORT and a key that is not key_ + 32 alphanumerics (exit 2)', async () => {
    for (const url of ['lab-pc:7070', 'ftp://lab-pc', 'http://lab-pc:7070/v1/sessions', 'http://u:p@lab-pc:7070', 'http://lab-pc:7070/?x=1']) {
      const r = await fbay('remote', 'add', 'lab', url, '--key', KEY);
      expect(r.code, url).toBe(2);
      expect(r.stderr).toContain(url);
    }
    const bad = await fbay('remote', 'add', 'lab', 'http://lab-pc:7070', '--key', 'key_short');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('key_ and 32 letters or digits');
    expect(saved()).toEqual({});
  });

  it('tries the host with the key: a wrong key says 401 (exit 1) and saves nothing; the right one is saved', async () => {
    const url = await host();
    const wrong = await fbay('remote', 'add', 'lab', url, '--key', `key_${'w'.repeat(32)}`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the key key_wwww… \(HTTP 401\)/);
    expect(wrong.stderr).not.toContain('did not answer');
    expect(saved()).toEqual({});
    const ok = await fbay('remote', 'add', 'lab', `${url}/`, '--key', KEY);
    expect(ok).toMatchObject({ code: 0, stdout: `Added remote lab (${url}) as alice (tier team). Try it: fbay boards --remote lab\n` });
    expect(saved()).toEqual({ lab: { url, key: KEY } });
  });

  it('a self-signed host gets a hint at --ca, and works with it', async () => {
    const url = await host(true);
    const untrusted = await fbay('remote', 'add', 'lab', url, '--key', KEY);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('presented a certificate this machine does not trust');
    expect(untrusted.stderr).toContain(`hint: Give the host's CA certificate: \`fbay remote add lab ${url} --key KEY --ca /path/to/ca.pem\`.`);
    expect((await fbay('remote', 'add', 'lab', url, '--key', KEY, '--ca', fixture('cert.pem'))).code).toBe(0);
  });

  it('a host that does not answer is exit 3; --no-check saves it without trying', async () => {
    const down = await fbay('remote', 'add', 'lab', 'http://127.0.0.1:1', '--key', KEY);
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('--no-check');
    const added = await fbay('remote', 'add', 'lab', 'http://127.0.0.1:1', '--key', KEY, '--no-check');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('(not tried: --no-check)');
  });

  it('refuses to replace a remote of the same name without --force (exit 5)', async () => {
    await fbay('remote', 'add', 'lab', 'http://127.0.0.1:1', '--key', KEY, '--no-check');
    const again = await fbay('remote', 'add', 'lab', 'http://127.0.0.1:2', '--key', KEY, '--no-check');
    expect(again.code).toBe(5);
    expect(again.stderr).toContain("There is already a remote named 'lab' (http://127.0.0.1:1)");
    expect(again.stderr).toContain('--force');
    expect((await fbay('remote', 'add', 'lab', 'http://127.0.0.1:2', '--key', KEY, '--no-check', '--force')).code).toBe(0);
    expect(saved().lab.url).toBe('http://127.0.0.1:2');
  });
});
