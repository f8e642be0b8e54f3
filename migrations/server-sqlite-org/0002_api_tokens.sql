-- API tokens: scoped to this organization and at most their creator's role, optionally read-only,
-- optionally expiring; stored as hashes, shown once.

CREATE TABLE api_tokens (
    org_id       TEXT NOT NULL,
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    read_only    INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
