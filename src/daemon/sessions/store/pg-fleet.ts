// The fleet in PostgreSQL: coordinators (with heartbeats and the URL they serve on), joined hosts (heartbeats, link
// state, version) and the resources sessions claim — a coordinator's own boards and slots, and joined hosts' boards.
import type pg from 'pg';

export interface ResourceRow {
  id: string;
  kind: string;
  coordinator_id: string | null;
  host: string | null;
  type: string | null;
  name: string | null;
  online: boolean;
  info?: Record<string, unknown>;
}

/** A board of another coordinator as the store has it: its row, and the live session holding it, if any. */
export interface FleetBoardRow {
  id: string;
  coordinator_id: string;
  host: string | null;
  type: string | null;
  name: string | null;
  online: boolean;
  /** What the coordinator recorded of it: its rate, serial identity, power switch. */
  info: { rate_credits_per_min?: number; serial?: Record<string, string | null>; power?: { control: 'argv' | 'uhubctl' | 'virtual' | null; state: 'on' | 'off' } } | null;
  session_id: string | null;
  session_account: string | null;
  session_state: string | null;
}

export interface HostRow {
  name: string;
  coordinator_id: string | null;
  last_heartbeat_at: string | null;
  link_state: string;
  version: string | null;
  boards: string[];
}

export interface CoordinatorRow {
  id: string;
  url: string | null;
  version: string | null;
  pid: number | null;
  last_heartbeat_at: string;
}

export class PgFleet {
  constructor(
    private readonly pool: pg.Pool,
    readonly coordinator: string,
  ) {}

  /** This coordinator is alive (and serves on `url`): others find it, and its sessions, through this row. */
  async heartbeat(info: { url: string | null; version: string; pid: number }): Promise<void> {
    await this.pool.query(
      `INSERT INTO coordinators (id, url, version, pid, started_at, last_heartbeat_at) VALUES ($1, $2, $3, $4, now(), now())
       ON CONFLICT (id) DO UPDATE SET url = $2, version = $3, pid = $4, last_heartbeat_at = now()`,
      [this.coordinator, info.url, info.version, info.pid],
    );
  }

  async coordinators(): Promise<CoordinatorRow[]> {
    const { rows } = await this.pool.query<CoordinatorRow & { last_heartbeat_at: Date }>('SELECT id, url, version, pid, last_heartbeat_at FROM coordinators ORDER BY id');
    return rows.map((r) => ({ ...r, last_heartbeat_at: r.last_heartbeat_at.toISOString() }));
  }

  /** A joined host's heartbeat (the host tunnel calls this on every beat): connected to this coordinator. */
  async hostHeartbeat(name: string, info: { version?: string | null; link_state?: string } = {}): Promise<void> {
    await this.pool.query(
      `INSERT INTO hosts (name, coordinator_id, last_heartbeat_at, link_state, version) VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT (name) DO UPDATE SET coordinator_id = $2, last_heartbeat_at = now(), link_state = $3, version = COALESCE($4, hosts.version)`,
      [name, this.coordinator, info.link_state ?? 'open', info.version ?? null],
    );
  }

  /** A host's link changed (`reconnecting`, `lost`) without a beat. */
  async hostLink(name: string, linkState: string): Promise<void> {
    await this.pool.query('UPDATE hosts SET link_state = $2 WHERE name = $1', [name, linkState]);
  }

  /** Hosts connected to this coordinator (all of them with `all`), each with its boards. */
  async hosts(all = false): Promise<HostRow[]> {
    const { rows } = await this.pool.query<Omit<HostRow, 'last_heartbeat_at'> & { last_heartbeat_at: Date | null }>(
      `SELECT h.name, h.coordinator_id, h.last_heartbeat_at, h.link_state, h.version,
              COALESCE(array_agg(r.id ORDER BY r.id) FILTER (WHERE r.id IS NOT NULL), '{}') AS boards
       FROM hosts h LEFT JOIN resources r ON r.host = h.name AND r.kind = 'board'
       WHERE $1 OR h.coordinator_id = $2 GROUP BY h.name ORDER BY h.name`,
      [all, this.coordinator],
    );
    return rows.map((r) => ({ ...r, last_heartbeat_at: r.last_heartbeat_at?.toISOString() ?? null }));
  }

  /** Registers (or updates) resources sessions may claim; those of this owner not listed are marked offline. One step. */
  async registerResources(owner: { coordinator_id: string | null; host: string | null }, rows: ResourceRow[]): Promise<void> {
    const col = <K extends keyof ResourceRow>(k: K) => rows.map((r) => r[k] ?? null);
    await this.pool.query(
      `WITH gone AS (
         UPDATE resources SET online = false, updated_at = now()
         WHERE coordinator_id IS NOT DISTINCT FROM $1 AND host IS NOT DISTINCT FROM $2 AND NOT (id = ANY ($3::text[])))
       INSERT INTO resources (id, kind, coordinator_id, host, type, name, online, info, updated_at)
       SELECT u.id, u.kind, u.coordinator_id, u.host, u.type, u.name, u.online, u.info, now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::jsonb[])
         AS u (id, kind, coordinator_id, host, type, name, online, info)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, coordinator_id = EXCLUDED.coordinator_id, host = EXCLUDED.host,
         type = EXCLUDED.type, name = EXCLUDED.name, online = EXCLUDED.online, info = EXCLUDED.info, updated_at = now()`,
      [owner.coordinator_id, owner.host, col('id'), col('kind'), col('coordinator_id'), col('host'), col('type'), col('name'), col('online'), rows.map((r) => JSON.stringify(r.info ?? {}))],
    );
  }

  /** The hosts joined to this coordinator as it sees them now: their rows, one step. */
  async recordHosts(hosts: ReadonlyArray<{ name: string; link: string; version: string | null; last_heartbeat_at: string | null; sandboxes: number; browsers: number }>): Promise<void> {
    if (hosts.length === 0) return;
    await this.pool.query(
      `INSERT INTO hosts (name, coordinator_id, last_heartbeat_at, link_state, version, sandboxes, browsers)
       SELECT u.name, $1, u.at, u.link, u.version, u.sandboxes, u.browsers
       FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::integer[], $7::integer[]) AS u (name, at, link, version, sandboxes, browsers)
       ON CONFLICT (name) DO UPDATE SET coordinator_id = $1, last_heartbeat_at = EXCLUDED.last_heartbeat_at, link_state = EXCLUDED.link_state,
         version = COALESCE(EXCLUDED.version, hosts.version), sandboxes = EXCLUDED.sandboxes, browsers = EXCLUDED.browsers`,
      [this.coordinator, ...(['name', 'last_heartbeat_at', 'link', 'version', 'sandboxes', 'browsers'] as const).map((k) => hosts.map((h) => h[k]))],
    );
  }

  /**
   * Another live coordinator (none of `except`) with a connected host that has room for one more sandbox or browser
   * (its offer less the live sessions of the kind placed there), the most room first.
   */
  async coordinatorWithRoom(kind: 'sandbox' | 'browser', except: readonly string[] = []): Promise<string | null> {
    // A sandbox names its host in its record; a browser holds one of the host's slots (`A/joined/lab1/browser-slot-2`).
    const placed =
      kind === 'sandbox'
        ? `s.kind = 'sandbox' AND s.record->>'joined_host' = h.name`
        : `s.kind = 'browser' AND s.resource LIKE h.coordinator_id || '/joined/' || h.name || '/browser-slot-%'`;
    const { rows } = await this.pool.query<{ id: string }>(
      `SELECT h.coordinator_id AS id
       FROM hosts h JOIN coordinators c ON c.id = h.coordinator_id
         CROSS JOIN LATERAL (SELECT count(*) AS n FROM sessions s WHERE s.live AND ${placed}) p
       WHERE h.link_state = 'open' AND h.${kind === 'sandbox' ? 'sandboxes' : 'browsers'} > p.n AND h.coordinator_id <> $1
         AND c.url IS NOT NULL AND c.last_heartbeat_at > now() - interval '15 seconds' AND NOT (h.coordinator_id = ANY ($2::text[]))
       ORDER BY h.${kind === 'sandbox' ? 'sandboxes' : 'browsers'} - p.n DESC, h.name
       LIMIT 1`,
      [this.coordinator, except],
    );
    return rows[0]?.id ?? null;
  }

  /** Another live coordinator (none of `except`) with a free online board of `type` (its own or a joined host's). */
  async coordinatorWithFree(type: string, except: readonly string[] = []): Promise<string | null> {
    const found = await this.offering(type, except);
    return found?.free ? found.id : null;
  }

  /**
   * A live coordinator that offers boards of a type, busy or not: where a create that waits for that type is queued
   * when this coordinator has none of it.
   */
  async coordinatorWithType(type: string, except: readonly string[] = []): Promise<string | null> {
    return (await this.offering(type, except))?.id ?? null;
  }

  /** The other live coordinator (none of `except`) offering online boards of `type`: one with a free board first, then
   *  the one with the most; and whether it has a free one. */
  private async offering(type: string, except: readonly string[]): Promise<{ id: string; free: boolean } | null> {
    const { rows } = await this.pool.query<{ id: string; free: boolean }>(
      `SELECT r.coordinator_id AS id, bool_or(NOT EXISTS (SELECT 1 FROM sessions s WHERE s.live AND s.resource = r.id)) AS free
       FROM resources r JOIN coordinators c ON c.id = r.coordinator_id
       WHERE r.kind = 'board' AND r.online AND r.type = $1 AND r.coordinator_id <> $2 AND c.url IS NOT NULL
         AND c.last_heartbeat_at > now() - interval '15 seconds' AND NOT (r.coordinator_id = ANY ($3::text[]))
       GROUP BY r.coordinator_id
       ORDER BY free DESC, count(*) DESC, r.coordinator_id
       LIMIT 1`,
      [type, this.coordinator, except],
    );
    return rows[0] ?? null;
  }

  /** The boards other live coordinators offer, each with the live session holding it (if any). */
  async othersBoards(): Promise<FleetBoardRow[]> {
    const { rows } = await this.pool.query<FleetBoardRow>(
      `SELECT r.id, r.coordinator_id, r.host, r.type, r.name, r.online, r.info,
              s.id AS session_id, s.account AS session_account, s.state AS session_state
       FROM resources r JOIN coordinators c ON c.id = r.coordinator_id
         LEFT JOIN sessions s ON s.live AND s.resource = r.id
       WHERE r.kind = 'board' AND r.coordinator_id <> $1 AND c.url IS NOT NULL AND c.last_heartbeat_at > now() - interval '15 seconds'
         AND (r.online OR s.id IS NOT NULL OR r.host IS NULL)
       ORDER BY r.coordinator_id, r.id`,
      [this.coordinator],
    );
    return rows;
  }

  /** The live coordinator (not this one) that offers the board with this id — its own, or a joined host's. */
  async coordinatorOfBoard(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ coordinator_id: string }>(
      `SELECT r.coordinator_id FROM resources r JOIN coordinators c ON c.id = r.coordinator_id
       WHERE r.kind = 'board' AND r.id = r.coordinator_id || '/' || $1 AND r.coordinator_id <> $2 AND c.url IS NOT NULL
         AND c.last_heartbeat_at > now() - interval '15 seconds'
       ORDER BY r.online DESC, r.updated_at DESC LIMIT 1`,
      [id, this.coordinator],
    );
    return rows[0]?.coordinator_id ?? null;
  }
}
