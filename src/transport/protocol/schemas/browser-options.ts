// The seed's session configuration at create — `profile`, `proxy`, `fingerprint` — as schemas whose failures quote
// the field and the value it got. Values go into command-line flags, headers and a directory name: they are narrow.
import * as v from 'valibot';
import { show } from '../schema-kit.js';

export const PROFILE_KEY_MAX = 64;
/** Starts with a letter or digit, so no `.`, `..` or hidden name; no `/`, so one directory under the profiles dir. */
export const PROFILE_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PROXY_SCHEMES = ['http', 'https', 'socks4', 'socks5'];
export const VIEWPORT = { min: 200, maxWidth: 3840, maxHeight: 2160 };

export function isProfileKey(key: unknown, max = PROFILE_KEY_MAX): key is string {
  return typeof key === 'string' && key.length <= max && PROFILE_KEY.test(key) && !key.includes('..');
}

/** Printable ASCII only: these go into headers and command-line flags, where control characters would split them. */
const printable = (max: number) => {
  const m = `{field} must be a string of 1 to ${max} printable ASCII characters; got {got}.`;
  return v.pipe(v.string(m), v.minLength(1, m), v.maxLength(max, m), v.regex(/^[\x20-\x7e]*$/, m));
};

export const profileKey = v.custom<string>(
  (key) => isProfileKey(key),
  (issue) =>
    `profile must be a key of 1 to ${PROFILE_KEY_MAX} letters, digits, '-', '_' or '.', starting with a letter or digit (no '/' or '..'); got ${show(issue.input)}.`,
);

/** `host:port` or `scheme://host:port` → `scheme://host:port`, or a sentence saying what is wrong. */
export function proxyServer(server: string): { server: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(server.includes('://') ? server : `http://${server}`);
  } catch {
    return { error: `proxy.server must look like http://host:port or socks5://host:port; got ${show(server)}.` };
  }
  const scheme = url.protocol.slice(0, -1);
  if (!PROXY_SCHEMES.includes(scheme)) return { error: `proxy.server's scheme must be one of ${PROXY_SCHEMES.join(', ')}; got ${show(scheme)}.` };
  if (url.username || url.password) return { error: 'proxy.server must not hold credentials; give them as proxy.username and proxy.password.' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || !url.hostname) {
    return { error: `proxy.server must be a scheme, a host and a port, nothing more; got ${show(server)}.` };
  }
  return { server: `${scheme}://${url.host}` };
}

const bypassList = (raw: string) => raw.split(/[,;]/).map((e) => e.trim());

export const proxy = v.pipe(
  v.strictObject({
    server: v.pipe(
      printable(512),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const out = proxyServer(dataset.value);
        if ('server' in out) return out.server;
        addIssue({ message: out.error });
        return NEVER;
      }),
    ),
    username: v.optional(printable(256)),
    // An empty password is a password (some proxies take a user name alone with one).
    password: v.optional(v.union([v.literal(''), printable(256)], '{field} must be a string of up to 256 printable ASCII characters; got {got}.')),
    bypass: v.optional(
      v.pipe(
        printable(2048),
        v.check((raw) => bypassList(raw).every((e) => e !== '' && !/\s/.test(e)), "{field} is a list of hosts separated by ',' or ';'; got {got}."),
        v.transform((raw) => bypassList(raw).join(',')),
      ),
    ),
  }),
  v.check((p) => p.password === undefined || p.username !== undefined, 'proxy.password needs proxy.username too.'),
);

function isLocale(s: string): boolean {
  try {
    return Intl.getCanonicalLocales(s).length === 1;
  } catch {
    return false;
  }
}

function isTimeZone(s: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return true;
  } catch {
    return false;
  }
}

const pixels = (max: number) => {
  const m = `{field} must be a whole number of pixels from ${VIEWPORT.min} to ${max}; got {got}.`;
  return v.pipe(v.number(m), v.integer(m), v.minValue(VIEWPORT.min, m), v.maxValue(max, m));
};

export const fingerprint = v.strictObject({
  userAgent: v.optional(printable(1024)),
  viewport: v.optional(v.strictObject({ width: pixels(VIEWPORT.maxWidth), height: pixels(VIEWPORT.maxHeight) })),
  locale: v.optional(v.pipe(printable(64), v.check(isLocale, '{field} must be a language tag like en-US or de-DE; got {got}.'))),
  timezoneId: v.optional(v.pipe(printable(64), v.check(isTimeZone, '{field} must be an IANA time zone like Europe/Berlin; got {got}.'))),
});
