// A live session record of the core, as the store tests make them: defaults for every field, `fields` on top.
import type { CoreRecord } from '../../../../src/daemon/sessions/record.js';

export const coreRecord = (id: string, fields: Partial<CoreRecord> = {}): CoreRecord => ({
  id,
  kind: 'board',
  account: 'local',
  state: 'idle',
  created_at: 1,
  ended_at: null,
  end_reason: null,
  metadata: {},
  idempotency_key: null,
  request_hash: null,
  resource: null,
  host: null,
  link: null,
  ...fields,
});
