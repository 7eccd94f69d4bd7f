// `fbay remote add` tries the host once before saving it: GET /v1/auth/me with the key, so a wrong key, an untrusted
// certificate or a host that is not there is said now, not at the first `--remote` command.
import { readFileSync } from 'node:fs';
import { certificateAdvice, certificateProblem } from '../../shared/tls-errors.js';
import { UserError } from '../../shared/user-error.js';
import { VERSION } from '../../shared/version.js';
import type { Account } from '../../transport/protocol/api.js';
import { EXIT } from '../../transport/protocol/errors.js';

const CHECK_TIMEOUT_MS = 10_000;

/** The account the key is on the host, or the UserError saying why the host could not be used. */
export async function checkRemote(name: string, url: string, key: string, ca?: string): Promise<Account> {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ connect: ca ? { ca: readCa(ca) } : {} });
  const skip = `Add it anyway with --no-check.`;
  try {
    const res = await request(`${url}/v1/auth/me`, {
      dispatcher,
      headers: { authorization: `Bearer ${key}`, 'fbay-version': VERSION, accept: 'application/json' },
      headersTimeout: CHECK_TIMEOUT_MS,
      bodyTimeout: CHECK_TIMEOUT_MS,
    });
    const text = await res.body.text();
    if (res.statusCode === 401) {
      throw new UserError(`${url} refused the key ${key.slice(0, 8)}… (HTTP 401): it is not a key of that host, or it was revoked.`, {
        code: 'unauthorized',
        next: "Ask the host's owner for a key (`fbay keys create --name NAME` there) and run this again with it.",
      });
    }
    if (res.statusCode !== 200) {
      throw new UserError(`${url} answered GET /v1/auth/me with HTTP ${res.statusCode}: is it an fbay host?`, { code: 'remote_check_failed', next: skip });
    }
    return JSON.parse(text) as Account;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const problem = certificateProblem(err);
    if (problem) {
      const { why, next } = certificateAdvice(problem, name, url);
      throw new UserError(`${url} ${why} (${(err as Error).message}).`, { code: 'tls_untrusted', next: next.replace(' --force`', '`'), cause: err });
    }
    throw new UserError(`${url} did not answer (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      exit: EXIT.daemon_unavailable,
      code: 'remote_unreachable',
      next: `Check the URL and that the host runs \`fbay daemon start --listen HOST:PORT\`. ${skip}`,
      cause: err,
    });
  } finally {
    await dispatcher.close();
  }
}

/** The first of several URLs that answers decides; each unreachable one is passed over, and the last one's error stands. */
export async function checkRemotes(name: string, urls: string[], key: string, ca?: string): Promise<Account> {
  for (const [i, url] of urls.entries()) {
    try {
      return await checkRemote(name, url, key, ca);
    } catch (err) {
      if (i === urls.length - 1 || (err as UserError).code !== 'remote_unreachable') throw err;
    }
  }
  throw new Error('bug: checkRemotes was given no URL');
}

function readCa(ca: string): Buffer {
  try {
    return readFileSync(ca);
  } catch (err) {
    throw new UserError(`Could not read --ca '${ca}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, {
      exit: EXIT.usage,
      code: 'usage',
      next: "Give the path of the host's CA certificate (PEM).",
    });
  }
}
