// The host tunnel's control messages (channel 0), one schema each: what a host says and what a coordinator asks.
import * as v from 'valibot';
import { ClientMessage } from '../protocol/schemas/control.js';
import { sessionId } from '../protocol/schemas/sessions.js';
import { show } from '../protocol/schema-kit.js';
import { FlashJobOp, FlashOp, JobMessage, PowerOp, TunnelFlashJob, TunnelPowerReply, UploadOp } from './flash-messages.js';

/** A host offers at most this many boards (a registry's virtual boards top out there too). */
export const MAX_HOST_BOARDS = 10_000;

const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const name = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const requestId = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31));
const channel = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 32 - 1));
export const BOARD_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** One board a host offers, as it lists it; `held`: a session on the host itself has it now. */
export const TunnelBoard = v.strictObject({
  id: v.pipe(v.string(), v.regex(BOARD_ID)),
  type: name(64),
  name: name(128),
  rate_credits_per_min: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1e6)),
  online: v.boolean(),
  held: v.boolean(),
  serial: v.strictObject({
    path: str(4096),
    vid: v.nullable(str(16)),
    pid: v.nullable(str(16)),
    serial_number: v.nullable(str(256)),
    manufacturer: v.nullable(str(256)),
    product: v.nullable(str(256)),
    location: v.nullable(str(256)),
  }),
  /** How the host flashes it (its ESP ROM, or its entry's flash_command); null: it cannot. Absent from older hosts. */
  flash: v.optional(v.nullable(v.picklist(['rom', 'command']))),
  /** How the host switches its power, and how it last left it. */
  power: v.optional(v.strictObject({ control: v.nullable(v.picklist(['argv', 'uhubctl', 'virtual'])), state: v.picklist(['on', 'off']) })),
});
export type TunnelBoard = v.InferOutput<typeof TunnelBoard>;

const boards = v.pipe(v.array(TunnelBoard), v.maxLength(MAX_HOST_BOARDS));

// ——— host → coordinator ———

export const HelloMessage = v.strictObject({
  op: v.literal('hello'),
  version: name(64),
  boards,
  /** The coordinator's sessions the host still holds (after a reconnect, or its own restart). */
  sessions: v.pipe(v.array(sessionId), v.maxLength(MAX_HOST_BOARDS)),
  /** Browsers the host runs at once for its coordinator (0 or absent: it offers none). */
  browsers: v.optional(v.pipe(count, v.maxValue(10_000))),
  /** Sandboxes the host runs at once for its coordinator (0 or absent: it offers none). */
  sandboxes: v.optional(v.pipe(count, v.maxValue(10_000))),
});
export const BoardsMessage = v.strictObject({ op: v.literal('boards'), boards });
export const ReplyOk = v.strictObject({
  op: v.literal('reply'),
  id: requestId,
  ok: v.literal(true),
  /** open: the output offset the host starts from, and how much input it has had (null: it cannot tell). */
  offset: v.optional(count),
  input: v.optional(v.nullable(count)),
  /** flash, flash_job: the session's job as the host has it. */
  job: v.optional(TunnelFlashJob),
  /** power: what the switch did. */
  power: v.optional(TunnelPowerReply),
});
export const ReplyFailed = v.strictObject({
  op: v.literal('reply'),
  id: requestId,
  ok: v.literal(false),
  code: name(64),
  error: name(2000),
  /** open of a session the host has already ended: why it ended there. */
  ended: v.optional(name(64)),
  /** A power command that failed: its last lines of output. */
  output: v.optional(v.pipe(v.array(str(2000)), v.maxLength(50))),
});
export const EndedMessage = v.strictObject({ op: v.literal('ended'), session: sessionId, reason: name(64) });
/** Either way: this end closed a stream channel (see tunnel-stream.ts); nothing more is sent on it. */
export const DisconnectMessage = v.strictObject({ op: v.literal('disconnect'), channel });
export type DisconnectMessage = v.InferOutput<typeof DisconnectMessage>;
/** Either way: this end has read a stream channel's bytes up to `offset` (its window, see tunnel-stream.ts). */
export const AckMessage = v.strictObject({ op: v.literal('ack'), channel, offset: count });

export const HostMessage = v.union([HelloMessage, BoardsMessage, ReplyOk, ReplyFailed, EndedMessage, JobMessage, DisconnectMessage, AckMessage]);
/** Each message's schema by its op, so a problem is found in the message it claims to be. */
const HOST_OPS = new Map<string, v.GenericSchema>([
  ['hello', HelloMessage],
  ['boards', BoardsMessage],
  ['reply', v.variant('ok', [ReplyOk, ReplyFailed])],
  ['ended', EndedMessage],
  ['job', JobMessage],
  ['disconnect', DisconnectMessage],
  ['ack', AckMessage],
]);
export type HostMessage = v.InferOutput<typeof HostMessage>;
export type HelloMessage = v.InferOutput<typeof HelloMessage>;
export type Reply = v.InferOutput<typeof ReplyOk> | v.InferOutput<typeof ReplyFailed>;

// ——— coordinator → host ———

const refused = v.array(v.strictObject({ id: str(128), reason: str(2000) }));
export const WelcomeMessage = v.strictObject({
  op: v.literal('welcome'),
  host: name(64),
  grace_s: count,
  heartbeat_ms: count,
  /** Ids as the coordinator lists them, by the host's own id (a virtual board gets the host's name in front). */
  ids: v.record(v.string(), v.string()),
  refused,
});
export const RegisteredMessage = v.strictObject({ op: v.literal('registered'), ids: v.record(v.string(), v.string()), refused });
export const OpenOp = v.strictObject({
  op: v.literal('open'),
  id: requestId,
  channel,
  session: sessionId,
  /** The host's own id of the board. */
  board: v.pipe(v.string(), v.regex(BOARD_ID)),
  since: count,
  /** How long the host keeps the session without its coordinator (the grace, and some). */
  keep_s: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(86_400)),
});
export const ReleaseOp = v.strictObject({ op: v.literal('release'), id: requestId, session: sessionId });
export const ControlOp = v.strictObject({ op: v.literal('control'), id: requestId, session: sessionId, message: ClientMessage });
/**
 * A stream channel into the host's own API server (for the coordinator's browsers and sandboxes there), or with
 * `sandbox` to a port inside the coordinator's sandbox of that session there (its web app, reached by its URL).
 */
export const ConnectOp = v.strictObject({
  op: v.literal('connect'),
  id: requestId,
  channel,
  sandbox: v.optional(v.strictObject({ session: sessionId, port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535)) })),
});
/** The coordinator's sandbox of a session moves: frozen (`idle`), its processes ended (`deep_sleep`), running again (`active`). */
export const SandboxOp = v.strictObject({ op: v.literal('sandbox'), id: requestId, session: sessionId, state: v.picklist(['active', 'idle', 'deep_sleep']) });
export type SandboxOp = v.InferOutput<typeof SandboxOp>;

const REQUESTS = [OpenOp, ReleaseOp, ControlOp, UploadOp, FlashOp, FlashJobOp, PowerOp, ConnectOp, SandboxOp] as const;
export const CoordinatorMessage = v.union([WelcomeMessage, RegisteredMessage, DisconnectMessage, AckMessage, ...REQUESTS]);
const COORDINATOR_OPS = new Map<string, v.GenericSchema>([
  ['welcome', WelcomeMessage],
  ['registered', RegisteredMessage],
  ['open', OpenOp],
  ['release', ReleaseOp],
  ['control', ControlOp],
  ['upload', UploadOp],
  ['flash', FlashOp],
  ['flash_job', FlashJobOp],
  ['power', PowerOp],
  ['connect', ConnectOp],
  ['sandbox', SandboxOp],
  ['disconnect', DisconnectMessage],
  ['ack', AckMessage],
]);
export type CoordinatorMessage = v.InferOutput<typeof CoordinatorMessage>;
export type WelcomeMessage = v.InferOutput<typeof WelcomeMessage>;
/** Requests the coordinator makes (each answered by one reply with its id). */
export type CoordinatorRequest = v.InferOutput<(typeof REQUESTS)[number]>;
export type CoordinatorRequestBody = CoordinatorRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** A message from a host, or a sentence saying what is wrong with it. */
export function parseHostMessage(value: unknown): { message: HostMessage } | { problem: string } {
  return parse(HOST_OPS, value) as { message: HostMessage } | { problem: string };
}

/** A message from the coordinator; a request with an op this host does not know is told apart (it gets a reply). */
export function parseCoordinatorMessage(value: unknown): { message: CoordinatorMessage } | { unknownOp: { id: number; op: string } } | { problem: string } {
  const raw = value as { op?: unknown; id?: unknown };
  if (typeof raw?.op === 'string' && !COORDINATOR_OPS.has(raw.op) && Number.isInteger(raw.id)) return { unknownOp: { id: raw.id as number, op: raw.op } };
  return parse(COORDINATOR_OPS, value) as { message: CoordinatorMessage } | { problem: string };
}

/** The message checked against the schema of the op it names; a problem says which field, what it got and why. */
function parse(ops: Map<string, v.GenericSchema>, value: unknown): { message: unknown } | { problem: string } {
  const op = (value as { op?: unknown })?.op;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: `a message must be a JSON object; got ${show(value)}` };
  const schema = typeof op === 'string' ? ops.get(op) : undefined;
  if (!schema) return { problem: `unknown op ${show(op)}; known: ${[...ops.keys()].join(', ')}` };
  const result = v.safeParse(schema, value);
  if (result.success) return { message: result.output };
  const issue = result.issues[0]!;
  const where = (issue.path ?? []).map((p) => String(p.key)).join('.') || 'the message';
  return { problem: `${op} message does not fit: ${where} = ${show(issue.input)} (${issue.message})` };
}
