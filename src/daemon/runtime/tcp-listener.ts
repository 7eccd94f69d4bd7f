// The optional TCP listener (`--listen HOST:PORT`): the same API for teammates, with API keys, and TLS if configured.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseListen } from '../../shared/config-keys.js';
import { UserError } from '../../shared/user-error.js';

export interface TcpEndpoint {
  /** How clients reach it, e.g. http://lab:7070 (0.0.0.0 is shown as this machine's host name). */
  url: string;
  /** For `daemon status`: tcp:HOST:PORT or tls:HOST:PORT. */
  label: string;
}

/** The PEM files, read and checked (a certificate and key that do not parse or do not match refuse here, not later). */
export function loadTls(tls: { cert?: string | null; key?: string | null } | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (!tls?.cert && !tls?.key) return undefined;
  if (!tls.cert || !tls.key) {
    throw new UserError('TLS needs both tls.cert and tls.key.', { next: 'fbay config set tls.cert /path/cert.pem && fbay config set tls.key /path/key.pem' });
  }
  let files: { cert: Buffer; key: Buffer };
  try {
    files = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  } catch (err) {
    throw new UserError(`Could not read the TLS files: ${(err as Error).message}`, { cause: err, next: 'Check tls.cert and tls.key with `fbay config get tls.cert`, or turn TLS off with `fbay config set tls.cert none`.' });
  }
  try {
    createSecureContext(files);
  } catch (err) {
    throw new UserError(`The TLS certificate or key does not work: ${(err as Error).message}`, {
      cause: err,
      next: `Check that ${tls.cert} holds a PEM certificate and ${tls.key} its PEM private key.`,
    });
  }
  return files;
}

export async function listenTcp(server: Server, address: string, secure: boolean): Promise<TcpEndpoint> {
  const parsed = parseListen(address);
  if (!parsed) throw new UserError(`--listen must be HOST:PORT, e.g. 0.0.0.0:7070; got '${address}'.`, { next: 'fbay daemon start --listen 127.0.0.1:7070' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(parsed.port, parsed.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`Could not listen on ${address}: ${err.code ?? err.message}.`, {
      cause: err,
      next: err.code === 'EADDRINUSE' ? 'Another program uses that port; pick another with --listen HOST:PORT.' : undefined,
    });
  });
  const { port } = server.address() as AddressInfo;
  const wildcard = parsed.host === '0.0.0.0' || parsed.host === '::';
  const host = wildcard ? hostname() : parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
  const scheme = secure ? 'https' : 'http';
  return { url: `${scheme}://${host}:${port}`, label: `${secure ? 'tls' : 'tcp'}:${parsed.host}:${port}` };
}
