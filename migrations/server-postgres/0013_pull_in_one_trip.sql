-- A pull in one trip to the database (B7): the organization set for row-level security for this
-- statement's transaction only, membership checked, and the page and the head read in one
-- snapshot. SECURITY INVOKER (the default), so every policy applies inside as outside.
-- Rows: tag 0 the page's records (seq, envelope), tag 1 the head and history, tag 2 a member's
-- marker. No rows: not a member, and nothing else was read.
CREATE FUNCTION sync_pull(p_org TEXT, p_user TEXT, p_after BIGINT, p_limit BIGINT)
RETURNS TABLE (tag INTEGER, number BIGINT, bytes BYTEA)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
    PERFORM set_config('app.org', p_org, true);
    IF NOT EXISTS (SELECT 1 FROM members m WHERE m.org_id = p_org AND m.user_id = p_user) THEN
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
