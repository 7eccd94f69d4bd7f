// Session objects for tests, complete and valid, with the fields a test cares about overridden.
import type { Session } from '../../../src/transport/protocol/api.js';

export function aSession(overrides: Partial<Session> = {}): Session {
  return {
    id: 'ses_aaaaaaaaaaaaaaaaaaaaaaaa',
    kind: 'board',
    state: 'idle',
    board_type: 'virtual',
    board_id: 'virtual-1',
    account: 'local',
    created_at: '2030-01-01T00:00:00.000Z',
    started_at: '2030-01-01T00:00:01.000Z',
    ended_at: null,
    end_reason: null,
    idle_timeout_s: 30,
    idle_deadline: '2030-01-01T00:00:31.000Z',
    board_missing_since: null,
    grace_deadline: null,
    expires_at: null,
    credits_used: 1,
    max_credits: null,
    rate_credits_per_min: 1,
    ws_url: 'ws+unix:///tmp/x/fbayd.sock:/v1/sessions/ses_aaaaaaaaaaaaaaaaaaaaaaaa/serial',
    metadata: {},
    host: null,
    link: null,
    ...overrides,
  };
}
