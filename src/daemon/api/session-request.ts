// Validates a POST /v1/sessions body field by field, quoting the field and the value it got.
import type { CreateSessionRequest } from '../../transport/protocol/api.js';
import { checkFields, intField, invalid, metadataField, show, stringField, type FieldCheck } from '../http/validate.js';
import { MAX_IDLE_TIMEOUT_S } from '../../shared/config-keys.js';
import { SESSION_ID_PATTERN } from '../engine/session-record.js';

const MAX_WAIT_S = 86_400;
const MAX_CREDITS = 1e9;

const FIELDS: Record<keyof CreateSessionRequest, FieldCheck> = {
  board_type: stringField('board_type'),
  board_id: stringField('board_id'),
  idle_timeout_s: intField('idle_timeout_s', 1, MAX_IDLE_TIMEOUT_S),
  wait_s: intField('wait_s', 0, MAX_WAIT_S),
  max_credits: (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > MAX_CREDITS) {
      throw invalid(`max_credits must be a number from 1 to ${MAX_CREDITS} (a session costs 1 credit to start); got ${show(v)}.`);
    }
  },
  metadata: metadataField,
};

export function parseCreateSession(body: unknown): CreateSessionRequest {
  const fields = checkFields<CreateSessionRequest>(body, FIELDS, '{"board_type": "virtual"}');
  if ((fields.board_type === undefined) === (fields.board_id === undefined)) {
    throw invalid('Give exactly one of board_type (e.g. "virtual") or board_id.');
  }
  return fields;
}

export function assertSessionId(id: string): void {
  if (!SESSION_ID_PATTERN.test(id)) {
    throw invalid(`'${id.slice(0, 64)}' is not a session id: ids look like ses_ followed by 24 letters and digits.`);
  }
}
