// What a provider is to the core: where a session's resource comes from. It keeps no copy of the core's
// bookkeeping; it is told what to do and reports what happened through typed events.
import { EventEmitter } from 'node:events';
import { ApiError } from '../../transport/protocol/errors.js';
import type { WarningKind } from '../../transport/protocol/api.js';
import type { CoreRecord } from './record.js';
import type { KindLimits } from './tiers.js';

/** What a create asks a provider for, before the session is recorded. */
export interface Admission {
  account: string;
  /** The parsed request body (the kind's schema already checked it). */
  request: Record<string, unknown>;
  limits: KindLimits;
  now: number;
  idempotencyKey: string | null;
}

export interface Admitted<R extends CoreRecord = CoreRecord> {
  /** An id of its own (a mirrored session keeps its host's); else the core makes one. */
  id?: string;
  /** The kind's own fields of the new record (and `metadata`). */
  fields: Partial<R>;
  /** Resources that would fit, best first; null when the kind claims none. */
  resources: readonly string[] | null;
  /** Wait in the first-come queue when nothing is free, rather than refuse. */
  queue: boolean;
}

/** A failed start: the session ends with `reason`; a create waiting for it answers `error` when there is one. */
export class StartFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly error: ApiError | null = null,
    readonly patch: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ProviderEvents {
  /** Something about a session changed: apply `patch`, and move to `to` when given. */
  update: [id: string, patch: Record<string, unknown>, to?: string];
  /** The resource is gone for good (or its host ended it): end the session. */
  end: [id: string, reason: string, at?: number, patch?: Record<string, unknown>];
  /** A warning the provider learnt of (a mirrored session's host warned). */
  warn: [id: string, kind: WarningKind, endsAt: number];
  /** Resources came or went (hotplug, capacity): waiting sessions may now fit. */
  resources: [];
}

export abstract class Provider<R extends CoreRecord = CoreRecord> extends EventEmitter<ProviderEvents> {
  /** Checks a create and says what it needs; throws an ApiError to refuse it. */
  abstract admit(admission: Admission): Promise<Admitted<R>> | Admitted<R>;
  /** Resources that would fit a waiting session now, best first. */
  candidates(_s: R): readonly string[] {
    return [];
  }
  /** The refusal when nothing fits and the session may not wait. */
  abstract noResource(s: R): ApiError;
  /** The refusal when a live session already holds a name the new one's `holds` lists. */
  held(_s: R, name: string, holder: CoreRecord): ApiError {
    return new ApiError('session_conflict', `${name} is held by the live session ${holder.id}; end it first, or ask for another.`, { holder: holder.id });
  }
  /** Brings the resource up for a claimed session; resolves with fields to set, rejects with a StartFailure. */
  abstract start(s: R): Promise<Partial<R>>;
  /** The session moved from `from` to its current state (freeze on idle, and so on). */
  entered(_s: R, _from: string): void {}
  /** Takes the resource down; resolves with fields to set (artifacts). Called once, as the session ends. */
  abstract stop(s: R, reason: string): Promise<Partial<R>>;
  /** After a restart: picks a live session up again (reopen its port, reopen its line). */
  resume(_s: R): void {}
  /** Another coordinator runs the live session from now on: let go of what it holds here, without ending it. */
  handOff(_s: R): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Sessions whose resource another coordinator runs: this daemon only mirrors their state, so it does nothing here. */
export class PeerProvider extends Provider {
  admit(): Admitted {
    throw new Error("bug: a create is admitted by the coordinator that runs the session's provider");
  }
  noResource(): ApiError {
    throw new Error('bug: a peer session never asks for a resource here');
  }
  async start(): Promise<Partial<CoreRecord>> {
    return {};
  }
  async stop(): Promise<Partial<CoreRecord>> {
    return {};
  }
}
