// Applies a session's fingerprint (user agent, viewport, locale, time zone) to each page and iframe before it runs.
import type { FingerprintSpec } from './browser-host.js';
import type { CdpConnection } from './cdp-connection.js';
import type { Target, TargetHandler } from './target-watcher.js';

export class Fingerprint implements TargetHandler {
  constructor(
    private readonly conn: CdpConnection,
    private readonly spec: FingerprintSpec,
    /** The browser's own user agent: a locale alone still needs one to set navigator.language through. */
    private readonly defaultUserAgent: string,
  ) {}

  async attach(target: Target): Promise<void> {
    if (target.type !== 'page' && target.type !== 'iframe') return;
    const { userAgent, viewport, locale, timezoneId } = this.spec;
    const call = (method: string, params: object) =>
      this.conn.call(method, params, target.sessionId).catch((err: Error) => {
        // Locale and time zone are per renderer process: a popup sharing its opener's process has them already.
        if (!/already in effect/.test(err.message)) throw err;
      });
    const steps: Promise<unknown>[] = [];
    if (userAgent !== undefined || locale !== undefined) {
      // acceptLanguage sets navigator.language(s) and the Accept-Language header; the locale override sets Intl's default.
      steps.push(call('Emulation.setUserAgentOverride', { userAgent: userAgent ?? this.defaultUserAgent, ...(locale ? { acceptLanguage: locale } : {}) }));
    }
    if (locale !== undefined) steps.push(call('Emulation.setLocaleOverride', { locale }));
    if (timezoneId !== undefined) steps.push(call('Emulation.setTimezoneOverride', { timezoneId }));
    if (viewport && target.type === 'page') {
      const { width, height } = viewport;
      // The screen as large as the window: a screen smaller than the viewport gives emulation away.
      steps.push(call('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 0, mobile: false, screenWidth: width, screenHeight: height }));
    }
    await Promise.all(steps);
  }
}
