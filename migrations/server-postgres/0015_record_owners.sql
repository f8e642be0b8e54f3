-- Sync, part 2: what the server needs to apply the role table to records it cannot read, copied
-- from each envelope's plaintext header when it is pushed: its kind, its owner (the member a time
-- entry, expense or write log entry belongs to; NULL for the organization's own records) and
-- whether it is deleted. A push is checked against them (a record never changes kind or owner; a
-- deletion is final) and a Member's pull is filtered by them.
--
-- Rows stored before are all header version 1 (docs/formats.md), which names no owner: then only
-- the account wrote in a synced organization, so such a record is its author's (bytes 40-55).
-- Row-level security is lifted for the table's owner while the rows of every organization are
-- filled in, and forced again in the same transaction.
ALTER TABLE records
    ADD COLUMN kind INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN owner BYTEA CHECK (owner IS NULL OR length(owner) = 16),
    ADD COLUMN tombstone BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE records NO FORCE ROW LEVEL SECURITY;
UPDATE records SET
    kind = get_byte(envelope, 33) * 256 + get_byte(envelope, 34),
    tombstone = get_byte(envelope, 80) = 1;
UPDATE records SET owner = substring(envelope FROM 41 FOR 16) WHERE kind IN (9, 10, 16, 17);
ALTER TABLE records FORCE ROW LEVEL SECURITY;

-- A ULID's 16 bytes from its 26-character text (Crockford base32, 130 bits of which the first two
-- are zero), as record headers carry user ids.
CREATE FUNCTION ulid_bytes(p_text TEXT) RETURNS BYTEA
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    v_bits BIT VARYING := B'';
    v_out BYTEA := '\x00000000000000000000000000000000'::BYTEA;
    v_digit INTEGER;
BEGIN
    IF length(p_text) <> 26 THEN
        RAISE EXCEPTION 'not a ULID';
    END IF;
    FOR i IN 1..26 LOOP
        v_digit := strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', upper(substr(p_text, i, 1))) - 1;
        IF v_digit < 0 THEN
            RAISE EXCEPTION 'not a ULID';
        END IF;
        v_bits := v_bits || v_digit::BIT(5);
    END LOOP;
    FOR i IN 0..15 LOOP
        v_out := set_byte(v_out, i, substring(v_bits FROM 3 + 8 * i FOR 8)::BIT(8)::INTEGER);
    END LOOP;
    RETURN v_out;
END
$$;

-- A pull reads what the caller's role may read: a Member every record of the kinds in
-- `p_member_all` and only their own of those in `p_member_own` (both from the role table in code,
-- `stint_domain::readable_kinds`); Owners, Admins and Viewers read every record (the table grants
-- them every read; a test in `stint_domain` says so). Otherwise as migration 0013.
DROP FUNCTION sync_pull_session(BYTEA, BIGINT, TEXT, BIGINT, BIGINT);
DROP FUNCTION sync_pull(TEXT, TEXT, BIGINT, BIGINT);

CREATE FUNCTION sync_pull(p_org TEXT, p_user TEXT, p_after BIGINT, p_limit BIGINT,
                          p_member_all INTEGER[], p_member_own INTEGER[])
RETURNS TABLE (tag INTEGER, number BIGINT, bytes BYTEA)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_role TEXT;
    v_owner BYTEA;
BEGIN
    PERFORM set_config('app.org', p_org, true);
    SELECT m.role INTO v_role FROM members m WHERE m.org_id = p_org AND m.user_id = p_user;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_role = 'member' THEN
        v_owner := ulid_bytes(p_user);
        RETURN QUERY
            SELECT 0, page.seq, page.envelope
            FROM (SELECT r.seq, r.envelope FROM records r
                  WHERE r.org_id = p_org AND r.seq > p_after
                    AND (r.kind = ANY (p_member_all)
                         OR (r.kind = ANY (p_member_own) AND r.owner = v_owner))
                  ORDER BY r.seq LIMIT p_limit) AS page
            UNION ALL SELECT 1, s.head, s.history FROM sync_state s WHERE s.org_id = p_org
            UNION ALL SELECT 2, 0::BIGINT, ''::BYTEA;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT 0, page.seq, page.envelope
        FROM (SELECT r.seq, r.envelope FROM records r
              WHERE r.org_id = p_org AND r.seq > p_after ORDER BY r.seq LIMIT p_limit) AS page
        UNION ALL SELECT 1, s.head, s.history FROM sync_state s WHERE s.org_id = p_org
        UNION ALL SELECT 2, 0::BIGINT, ''::BYTEA;
END
$$;

CREATE FUNCTION sync_pull_session(p_token BYTEA, p_now BIGINT, p_org TEXT, p_after BIGINT,
                                  p_limit BIGINT, p_member_all INTEGER[], p_member_own INTEGER[])
RETURNS TABLE (tag INTEGER, number BIGINT, bytes BYTEA)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_session TEXT;
    v_user TEXT;
    v_seen BIGINT;
BEGIN
    SELECT s.id, s.user_id, s.last_seen_at INTO v_session, v_user, v_seen
    FROM sessions s
    WHERE s.token_hash = p_token AND s.revoked_at IS NULL AND s.expires_at > p_now
      AND (s.access_expires_at IS NULL OR s.access_expires_at > p_now);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_seen < p_now - 60 THEN
        UPDATE sessions SET last_seen_at = p_now WHERE id = v_session;
    END IF;
    tag := 3;
    number := 0;
    bytes := ''::BYTEA;
    RETURN NEXT;
    RETURN QUERY SELECT * FROM sync_pull(p_org, v_user, p_after, p_limit, p_member_all, p_member_own);
END
$$;
