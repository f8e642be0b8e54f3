-- A signed-in device's pull in one trip to the database (B7): the session looked up as the sign-in
-- check does it (`session_by_token`: live, not revoked, access not expired; `last_seen_at` moved
-- on at most once a minute), then `sync_pull` for its account. SECURITY INVOKER (the default).
-- Rows: tag 3 first when the session is live, then `sync_pull`'s. No rows: no such live session,
-- and nothing else was read.
CREATE FUNCTION sync_pull_session(p_token BYTEA, p_now BIGINT, p_org TEXT, p_after BIGINT, p_limit BIGINT)
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
    RETURN QUERY SELECT * FROM sync_pull(p_org, v_user, p_after, p_limit);
END
$$;
