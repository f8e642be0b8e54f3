-- Organizations on PostgreSQL: one database for all, with row-level security keyed by organization
-- as the second wall. The server sets `app.org` for the transaction of every organization-scoped
-- query; without it no row is visible or writable. FORCE applies the policies to the table owner
-- too (the server's role should not be a superuser, which would bypass them).

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, org_id)
);

CREATE TABLE members (
    org_id    TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE invitations (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    token_hash  BYTEA NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at  BIGINT
);

CREATE TABLE audit_log (
    org_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id      TEXT PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    session TEXT,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
);

ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON members
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON invitations
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON audit_log
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));
