-- API tokens: scoped to one organization and at most their creator's role, optionally read-only,
-- optionally expiring; stored as hashes, shown once. Row-level security as for the other
-- organization-scoped tables.

CREATE TABLE api_tokens (
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    read_only    BIGINT NOT NULL CHECK (read_only IN (0, 1)),
    token_hash   BYTEA NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON api_tokens
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));
