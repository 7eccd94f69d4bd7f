// What a remote host's failures are said as: one that did not answer (or whose certificate is not trusted), and one
// that answered with an error of its own.
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, isErrorCode } from '../../transport/protocol/errors.js';
import { certificateAdvice, certificateProblem } from '../../shared/tls-errors.js';

/** A request that got no HTTP answer: an untrusted certificate (fixable with --ca) or a host that did not answer. */
export function unreachable(name: string, base: string, err: unknown): ApiError {
  const problem = certificateProblem(err);
  if (problem) {
    const { why, next } = certificateAdvice(problem, name, base);
    return new ApiError('upstream_unavailable', `Remote '${name}' (${base}) ${why}: ${(err as Error).message}.`, { next });
  }
  return new ApiError('upstream_unavailable', `Remote '${name}' (${base}) did not answer: ${(err as Error).message}.`, {
    next: `Check that the host runs \`fbay daemon start --listen HOST:PORT\` and that ${base} is reachable from here; see \`fbay daemon logs\`.`,
  });
}

/** What of a refusal's headers a client acts on (when to try again, how much of its rate is left): passed on. */
const PASSED = /^(retry-after|x-ratelimit-[a-z-]+)$/;

/**
 * The remote's own error, passed on with its code, its other fields and the headers a client acts on, and the remote
 * named so the user knows where it came from.
 */
export function upstreamError(name: string, status: number, body: unknown, base = '', headers: IncomingHttpHeaders = {}): ApiError {
  const b = (body ?? {}) as { error?: unknown; code?: unknown };
  const message = typeof b.error === 'string' ? b.error : `HTTP ${status}`;
  if (status === 401) {
    // The host answered: the key is wrong or revoked, which no retry and no network fix will change.
    return new ApiError('unauthorized', `Remote '${name}' refused its API key (HTTP 401: ${message.replace(/\.$/, '')}).`, {
      next: `Ask the host's owner for a key (\`fbay keys create\` or \`fbay keys rotate\` there), then \`fbay remote add ${name} ${base || 'URL'} --key KEY --force\`.`,
    });
  }
  const code = isErrorCode(b.code) ? b.code : 'upstream_unavailable';
  const { error: _error, code: _code, ...extra } = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const passed = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => PASSED.test(e[0]) && typeof e[1] === 'string'));
  return new ApiError(code, `${name}: ${message}`, code === 'upstream_unavailable' ? {} : extra, passed);
}
