// The two steps that must be atomic, as PL/pgSQL functions: one round trip each, one transaction each.
// fbay_insert: a new session with its claim (Idempotency-Key, the account's limit, a free resource, or the queue).
// fbay_write: snapshots that belong together (a session's change, its end's charge, quota time), applied only onto
// the revision each session was read at.

export const PG_INSERT_FUNCTION = `
CREATE FUNCTION fbay_insert(
  p_writer text, p_id text, p_kind text, p_account text, p_state text, p_key text, p_hash text, p_host text,
  p_coordinator text, p_created timestamptz, p_deadline timestamptz, p_record jsonb,
  p_candidates text[], p_queue boolean, p_max integer, p_states text[]
) RETURNS TABLE (outcome text, claimed text, found jsonb)
LANGUAGE plpgsql AS $$
DECLARE
  v_existing jsonb;
  v_counted jsonb;
  v_n integer;
  v_resource text;
  v_tries integer := 0;
  v_registered boolean := false;
  v_waited boolean := false;
  v_constraint text;
BEGIN
  IF p_key IS NOT NULL THEN
    -- Waits for a concurrent create with the same key to commit: then that session is the answer.
    INSERT INTO idempotency_keys (account, key, session_id, request_hash) VALUES (p_account, p_key, p_id, p_hash)
      ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      SELECT s.record INTO v_existing FROM idempotency_keys k JOIN sessions s ON s.id = k.session_id
        WHERE k.account = p_account AND k.key = p_key;
      RETURN QUERY SELECT 'existing'::text, NULL::text, v_existing;
      RETURN;
    END IF;
  END IF;
  IF p_max IS NOT NULL THEN
    -- Creates of one account and kind take turns here, so the count below is exact for any limit.
    PERFORM pg_advisory_xact_lock(hashtext(p_account), hashtext(p_kind));
    SELECT count(*), COALESCE(jsonb_agg(s.record ORDER BY s.created_at), '[]'::jsonb) INTO v_n, v_counted FROM sessions s
      WHERE s.live AND s.account = p_account AND s.kind = p_kind AND s.host IS NULL AND s.state = ANY (p_states);
    IF v_n >= p_max THEN
      DELETE FROM idempotency_keys WHERE account = p_account AND key = p_key;
      RETURN QUERY SELECT 'limit'::text, NULL::text, v_counted;
      RETURN;
    END IF;
  END IF;
  LOOP
    v_resource := NULL;
    IF p_candidates IS NOT NULL THEN
      SELECT c.id INTO v_resource FROM unnest(p_candidates) WITH ORDINALITY AS c (id, n) JOIN resources r ON r.id = c.id
        WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.live AND s.resource = c.id)
        ORDER BY c.n LIMIT 1 FOR UPDATE OF r SKIP LOCKED;
      IF v_resource IS NULL AND NOT v_waited THEN
        -- A free candidate may be locked without being taken: by a create that may yet fail, or by the boards being
        -- registered again (which updates their rows). Once, the first free one is waited for instead of skipped.
        v_waited := true;
        SELECT c.id INTO v_resource FROM unnest(p_candidates) WITH ORDINALITY AS c (id, n) JOIN resources r ON r.id = c.id
          WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.live AND s.resource = c.id)
          ORDER BY c.n LIMIT 1 FOR UPDATE OF r;
      END IF;
      IF v_resource IS NULL AND NOT v_registered THEN
        -- Resources not registered yet (a board plugged in a moment ago): registered, then looked for again — also
        -- when a registration under way inserted them first (this insert waited for it, and inserted nothing).
        v_registered := true;
        INSERT INTO resources (id, coordinator_id) SELECT c, p_coordinator FROM unnest(p_candidates) c ON CONFLICT DO NOTHING;
        CONTINUE;
      END IF;
      IF v_resource IS NULL AND NOT p_queue THEN
        DELETE FROM idempotency_keys WHERE account = p_account AND key = p_key;
        RETURN QUERY SELECT 'no_resource'::text, NULL::text, NULL::jsonb;
        RETURN;
      END IF;
    END IF;
    BEGIN
      INSERT INTO sessions (id, kind, account, state, resource, idempotency_key, host, coordinator, live, one_live,
          limit_states, rev, written_by, created_at, next_deadline, record)
        VALUES (p_id, p_kind, p_account, p_state, v_resource, p_key, p_host, p_coordinator, true,
          COALESCE(p_max = 1 AND p_state = ANY (p_states), false), CASE WHEN p_max = 1 THEN p_states END, 0, p_writer, p_created, p_deadline,
          jsonb_set(p_record, '{resource}', COALESCE(to_jsonb(v_resource), 'null'::jsonb)));
      PERFORM pg_notify('fbay', 's:' || p_writer || ':' || p_id);
      RETURN QUERY SELECT 'created'::text, v_resource, NULL::jsonb;
      RETURN;
    EXCEPTION WHEN unique_violation THEN
      GET STACKED DIAGNOSTICS v_constraint = CONSTRAINT_NAME;
      IF v_constraint <> 'sessions_one_per_resource' OR v_tries >= 50 THEN RAISE; END IF;
      -- Taken between the look and the lock by a create that committed meanwhile: look again.
      v_tries := v_tries + 1;
    END;
  END LOOP;
END $$;
`;

export const PG_WRITE_FUNCTION = `
CREATE FUNCTION fbay_write(p_writer text, p_sessions jsonb, p_accounts jsonb, p_usage jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v jsonb;
  v_credits double precision;
BEGIN
  FOR v IN SELECT * FROM jsonb_array_elements(p_sessions) LOOP
    UPDATE sessions SET state = v->>'state', resource = v->>'resource', live = (v->>'live')::boolean,
        one_live = (v->>'live')::boolean AND limit_states IS NOT NULL AND (v->>'state') = ANY (limit_states),
        rev = (v->>'rev')::bigint, written_by = p_writer,
        ended_at = to_timestamp((v->>'ended_at')::double precision / 1000),
        next_deadline = to_timestamp((v->>'deadline')::double precision / 1000), record = v->'record'
      WHERE id = v->>'id' AND rev = (v->>'rev')::bigint - 1;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'session % changed since it was read', v->>'id' USING ERRCODE = 'FB001';
    END IF;
    PERFORM pg_notify('fbay', 's:' || p_writer || ':' || (v->>'id'));
  END LOOP;
  FOR v IN SELECT * FROM jsonb_array_elements(p_accounts) LOOP
    INSERT INTO accounts (name, tier, balance, used_total, configured, granted)
      VALUES (v->>'name', v->>'tier', (v->>'balance')::double precision, 0, (v->>'configured')::double precision,
        ARRAY(SELECT jsonb_array_elements_text(v->'granted')))
      ON CONFLICT (name) DO NOTHING;
    IF v ? 'charge' THEN
      v_credits := (v->>'charge')::double precision;
      -- Booked once per session, whichever coordinator ends it.
      INSERT INTO credit_ledger (session_id, account, credits, at, coordinator)
        VALUES (v->>'session', v->>'name', v_credits, to_timestamp((v->>'at')::double precision / 1000), p_writer)
        ON CONFLICT DO NOTHING;
      IF FOUND THEN
        UPDATE accounts SET used_total = round((used_total + v_credits)::numeric, 6),
            balance = CASE WHEN balance IS NULL THEN NULL ELSE round(GREATEST(0, balance - v_credits)::numeric, 6) END,
            updated_at = now()
          WHERE name = v->>'name';
      END IF;
    ELSIF v ? 'credit' THEN
      UPDATE accounts SET balance = round((COALESCE(balance, 0) + (v->>'credit')::double precision)::numeric, 6), updated_at = now()
        WHERE name = v->>'name';
    ELSE
      UPDATE accounts SET tier = v->>'tier', balance = (v->>'balance')::double precision,
          configured = (v->>'configured')::double precision, granted = ARRAY(SELECT jsonb_array_elements_text(v->'granted')),
          updated_at = now()
        WHERE name = v->>'name';
    END IF;
    PERFORM pg_notify('fbay', 'a:' || p_writer || ':' || (v->>'name'));
  END LOOP;
  FOR v IN SELECT * FROM jsonb_array_elements(p_usage) LOOP
    INSERT INTO quota_usage AS q (account, kind, month, ms)
      VALUES (v->>'account', v->>'kind', v->>'month', (COALESCE(v->>'add', v->>'ms'))::bigint)
      ON CONFLICT (account, kind, month) DO UPDATE
        SET ms = CASE WHEN v ? 'add' THEN q.ms + (v->>'add')::bigint ELSE EXCLUDED.ms END;
    PERFORM pg_notify('fbay', 'a:' || p_writer || ':' || (v->>'account'));
  END LOOP;
END $$;
`;
