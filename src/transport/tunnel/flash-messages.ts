// The host tunnel's flash and power messages, one schema each: an upload's start, the flash it is for, a read of the
// job, a power switch, and the host's job as it runs. What a host says of a job is bounded, and `fitJob` makes any
// job fit those bounds, so a host never sends what its coordinator would refuse.
import * as v from 'valibot';
import type { FlashJob, PowerReply } from '../protocol/flash-api.js';
import { FlashImageEntry, MAX_FLASH_IMAGES } from '../protocol/schemas/flash.js';
import { sessionId } from '../protocol/schemas/sessions.js';

/** A log line, an error or a description longer than this is cut (a flash_command may print anything). */
export const MAX_JOB_TEXT = 2000;
/** The last output a board printed before a failed sync, as a job keeps it. */
export const MAX_BOOT_OUTPUT = 8192;
const MAX_LOG_LINES = 50;

const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const requestId = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31));
const channel = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 32 - 1));
const when = v.pipe(v.string(), v.isoTimestamp());

export const TunnelFlashJob = v.strictObject({
  id: v.pipe(v.string(), v.regex(/^fl_[A-Za-z0-9]{24}$/)),
  session_id: sessionId,
  state: v.picklist(['running', 'succeeded', 'failed']),
  method: v.picklist(['rom', 'command']),
  phase: v.picklist(['connecting', 'erasing', 'writing', 'verifying', 'resetting']),
  written: count,
  total: count,
  kbit_s: v.pipe(v.number(), v.finite(), v.minValue(0)),
  images: v.pipe(
    v.array(v.strictObject({ name: str(255), offset: count, size: count, description: str(MAX_JOB_TEXT), md5: v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/))) })),
    v.maxLength(MAX_FLASH_IMAGES),
  ),
  forced: v.pipe(v.array(str(MAX_JOB_TEXT)), v.maxLength(4 * MAX_FLASH_IMAGES)),
  verify: v.boolean(),
  erase_all: v.boolean(),
  started_at: when,
  ended_at: v.nullable(when),
  seconds: v.nullable(v.pipe(v.number(), v.finite(), v.minValue(0))),
  resumed: count,
  error: v.nullable(str(MAX_JOB_TEXT)),
  failure: v.nullable(v.picklist(['no_sync', 'wrong_chip', 'port_lost', 'md5_mismatch', 'aborted', 'protocol', 'command_failed', 'session_ended'])),
  offset: v.nullable(count),
  boot_output: v.nullable(str(MAX_BOOT_OUTPUT)),
  log: v.pipe(v.array(str(MAX_JOB_TEXT)), v.maxLength(MAX_LOG_LINES)),
  log_count: count,
  boot_offset: v.nullable(count),
});

export const TunnelPowerReply = v.strictObject({
  session_id: sessionId,
  action: v.picklist(['on', 'off', 'cycle']),
  verified: v.picklist(['verified', 'unverified']),
  why: v.nullable(str(MAX_JOB_TEXT)),
  output: v.pipe(v.array(str(MAX_JOB_TEXT)), v.maxLength(MAX_LOG_LINES)),
  power: v.picklist(['on', 'off']),
});

const clip = (s: string, max = MAX_JOB_TEXT) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const clipped = (s: string | null, max?: number) => (s === null ? null : clip(s, max));

/**
 * The job as the tunnel carries it: every text within its bound (cut with an ellipsis), every list within its length.
 * Field by field, so the message has exactly the schema's fields (a strict schema refuses any other); a field the
 * API's job gains and this does not carry fails to compile where the coordinator takes the message as a FlashJob.
 */
export function fitJob(j: FlashJob): v.InferOutput<typeof TunnelFlashJob> {
  return {
    id: j.id,
    session_id: j.session_id,
    state: j.state,
    method: j.method,
    phase: j.phase,
    written: j.written,
    total: j.total,
    kbit_s: j.kbit_s,
    images: j.images.map((i) => ({ name: clip(i.name, 255), offset: i.offset, size: i.size, description: clip(i.description), md5: i.md5 })),
    forced: j.forced.slice(0, 4 * MAX_FLASH_IMAGES).map((f) => clip(f)),
    verify: j.verify,
    erase_all: j.erase_all,
    started_at: j.started_at,
    ended_at: j.ended_at,
    seconds: j.seconds,
    resumed: j.resumed,
    error: clipped(j.error),
    failure: j.failure,
    offset: j.offset,
    boot_output: clipped(j.boot_output, MAX_BOOT_OUTPUT),
    log: j.log.slice(-MAX_LOG_LINES).map((l) => clip(l)),
    log_count: j.log_count,
    boot_offset: j.boot_offset,
  };
}

/** A power reply as the tunnel carries it, field by field likewise. */
export function fitPower(p: PowerReply): v.InferOutput<typeof TunnelPowerReply> {
  return { session_id: p.session_id, action: p.action, verified: p.verified, why: clipped(p.why), output: p.output.slice(-MAX_LOG_LINES).map((l) => clip(l)), power: p.power };
}

// ——— coordinator → host ———

/** An upload is coming on `channel`: the host makes room for `size` bytes, or says now why it would refuse them. */
export const UploadOp = v.strictObject({ op: v.literal('upload'), id: requestId, session: sessionId, channel, size: count });
/** Flash what came on `channel`: the images end to end, in this order; the host checks them and starts the job. */
export const FlashOp = v.strictObject({
  op: v.literal('flash'),
  id: requestId,
  session: sessionId,
  channel,
  images: v.pipe(v.array(FlashImageEntry), v.minLength(1), v.maxLength(MAX_FLASH_IMAGES)),
  verify: v.boolean(),
  erase_all: v.boolean(),
  force: v.boolean(),
  baud: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(99_999_999))),
});
/** The session's latest flash job as the host has it now. */
export const FlashJobOp = v.strictObject({ op: v.literal('flash_job'), id: requestId, session: sessionId });
export const PowerOp = v.strictObject({ op: v.literal('power'), id: requestId, session: sessionId, action: v.picklist(['on', 'off', 'cycle']) });

// ——— host → coordinator ———

/** A job of one of the coordinator's sessions as it runs (at most one a progress interval, and at once when it ends). */
export const JobMessage = v.strictObject({ op: v.literal('job'), session: sessionId, job: TunnelFlashJob });
