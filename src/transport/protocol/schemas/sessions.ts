// Board session requests (DESIGN §4): POST /v1/sessions, PATCH /v1/sessions/{id}, POST …/reset, and their queries.
import * as v from 'valibot';
import { MAX_IDLE_TIMEOUT_S } from '../../../shared/config/defaults.js';
import { SESSION_KINDS } from '../api.js';
import { metadata, numberIn, oneOf, text, wholeNumber } from '../schema-kit.js';

export const MAX_WAIT_S = 86_400;
export const MAX_CREDITS = 1e9;
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9]{24}$/;

export const sessionId = v.pipe(
  v.string(),
  v.regex(SESSION_ID_PATTERN, (issue) => `'${String(issue.input).slice(0, 64)}' is not a session id: ids look like ses_ followed by 24 letters and digits.`),
);

export const CreateBoardSessionBody = v.pipe(
  v.strictObject({
    kind: v.optional(v.literal('board', '{field} must be "board" or "sandbox" (browsers: POST /v1/browsers); got {got}.')),
    board_type: v.optional(text()),
    board_id: v.optional(text()),
    metadata: v.optional(metadata()),
    idle_timeout_s: v.optional(wholeNumber(1, MAX_IDLE_TIMEOUT_S)),
    wait_s: v.optional(wholeNumber(0, MAX_WAIT_S)),
    max_credits: v.optional(numberIn(1, MAX_CREDITS, `a number from 1 to ${MAX_CREDITS} (a session costs 1 credit to start)`)),
  }),
  v.check((b) => (b.board_type === undefined) !== (b.board_id === undefined), 'Give exactly one of board_type (e.g. "virtual") or board_id.'),
);
export type CreateBoardSessionBody = v.InferOutput<typeof CreateBoardSessionBody>;

export const PatchSessionBody = v.pipe(
  v.strictObject({
    idle_timeout_s: v.optional(wholeNumber(1, MAX_IDLE_TIMEOUT_S)),
    max_credits: v.optional(v.nullable(numberIn(1, MAX_CREDITS, `a number from 1 to ${MAX_CREDITS}, or null for no budget`))),
  }),
  v.check((b) => Object.keys(b).length > 0, 'Give idle_timeout_s or max_credits (or both) to change.'),
);
export type PatchSessionBody = v.InferOutput<typeof PatchSessionBody>;

export const ResetBody = v.strictObject({ mode: v.optional(oneOf(['hard', 'bootloader'])) });

/** `?all=1|true`: ended sessions too; `?kind=`: one kind. */
export const ListSessionsQuery = v.strictObject({
  all: v.optional(v.string()),
  kind: v.optional(oneOf(SESSION_KINDS)),
});

export const offset = (name: string) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,16}$/, `${name} must be a byte offset (a whole number ≥ 0); got {got}.`),
    v.check((s) => Number.isSafeInteger(Number(s)), `${name} must be a byte offset (a whole number ≥ 0); got {got}.`),
    v.transform(Number),
  );
