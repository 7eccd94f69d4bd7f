// PATCH /v1/sessions/{id}: extend or shorten a live board session's idle window and credit budget.
import type { Session } from '../../../transport/protocol/api.js';
import { ApiError } from '../../../transport/protocol/errors.js';
import type { PatchSessionBody } from '../../../transport/protocol/schemas/sessions.js';
import type { RemoteHosts } from '../../remote/remote-hosts.js';
import type { SessionCore } from '../../sessions/session-core.js';
import { sessionCredits, type BoardRecord } from './board-record.js';

export class SessionChanges {
  constructor(
    private readonly core: SessionCore,
    private readonly hosts: RemoteHosts | null,
  ) {}

  async update(account: string, id: string, patch: PatchSessionBody): Promise<BoardRecord> {
    const s = this.core.find(account, id, 'board') as BoardRecord;
    if (!this.core.isLive(s)) {
      throw new ApiError('session_conflict', `Session ${id} has ended (${s.end_reason}); only a live session can be changed. Create a new one with \`fbay session create\`.`);
    }
    if (patch.max_credits != null) {
      const used = sessionCredits(s, this.core.now());
      if (patch.max_credits <= used) {
        throw new ApiError('invalid_request', `max_credits ${patch.max_credits} is not above the ${Math.round(used * 1000) / 1000} credits this session has used; give a larger budget, or end it with \`fbay session end ${id}\`.`);
      }
    }
    if (s.host && this.hosts) {
      // The host runs the meter and the budget: it changes first, and the mirror shows what it holds.
      const { body } = await this.hosts.client(s.host).json<Session>('PATCH', `/v1/sessions/${id}`, { body: patch });
      await this.core.apply(s, { idle_timeout_s: body.idle_timeout_s, max_credits: body.max_credits, upstream_expires_at: body.expires_at ? Date.parse(body.expires_at) : null });
      return s;
    }
    await this.core.apply(s, {
      ...(patch.idle_timeout_s !== undefined ? { idle_timeout_s: patch.idle_timeout_s } : {}),
      ...(patch.max_credits !== undefined ? { max_credits: patch.max_credits } : {}),
    });
    return s;
  }
}
