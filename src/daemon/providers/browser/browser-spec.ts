// From a create's body to the record's fields and from the record to what the host launches: one place for both.
import { DEFAULT_BROWSER_MAX_DURATION_MS, type ArtifactKind } from '../../../transport/protocol/browser-api.js';
import type { CreateBrowserBody } from '../../../transport/protocol/schemas/browsers.js';
import type { LaunchSpec } from '../../browsers/browser-host.js';
import { EMPTY_ARTIFACTS } from '../../browsers/artifacts/artifact-files.js';
import type { BrowserRecord } from './browser-record.js';

/**
 * Profiles are the account's own: the host keeps each under `ACCOUNT~KEY` (neither holds a `~`, so no two accounts'
 * keys meet), and one live session at a time holds it.
 */
export const hostProfileKey = (account: string, key: string) => `${account}~${key}`;
export const profileHold = (account: string, key: string) => `profile:${hostProfileKey(account, key)}`;

export type BrowserFields = Pick<
  BrowserRecord,
  'kind' | 'ready_at' | 'failure_reason' | 'max_duration_ms' | 'recording' | 'record' | 'profile' | 'proxy' | 'fingerprint' | 'artifacts' | 'warm' | 'browser_version' | 'metadata'
> & { holds?: string[] };

export function browserFields(account: string, req: CreateBrowserBody): BrowserFields {
  return {
    kind: 'browser',
    ready_at: null,
    failure_reason: null,
    max_duration_ms: req.maxDurationMs ?? DEFAULT_BROWSER_MAX_DURATION_MS,
    recording: req.recording ?? false,
    record: [...new Set(req.record ?? [])] as ArtifactKind[],
    profile: req.profile ?? null,
    proxy: req.proxy ?? null,
    fingerprint: req.fingerprint ?? null,
    artifacts: EMPTY_ARTIFACTS,
    warm: false,
    browser_version: null,
    metadata: req.metadata ?? {},
    ...(req.profile ? { holds: [profileHold(account, req.profile)] } : {}),
  };
}

export function launchSpec(r: Pick<BrowserRecord, 'account' | 'recording' | 'record' | 'profile' | 'proxy' | 'fingerprint'>): LaunchSpec {
  return {
    recording: r.recording,
    record: r.record,
    profile: r.profile ? { key: hostProfileKey(r.account, r.profile) } : null,
    proxy: r.proxy,
    fingerprint: r.fingerprint,
  };
}
