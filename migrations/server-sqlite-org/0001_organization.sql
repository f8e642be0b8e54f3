-- One organization's own database file (orgs/<id>.db): its members, invitations and audit log.
-- Every row still names its organization, and every query filters by it: the file boundary is the
-- second wall, not the only one.

CREATE TABLE members (
    org_id    TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
) STRICT;

CREATE TABLE invitations (
    org_id      TEXT NOT NULL,
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    token_hash  BLOB NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    revoked_at  INTEGER
) STRICT;

CREATE TABLE audit_log (
    org_id  TEXT NOT NULL,
    id      TEXT PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    session TEXT,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
) STRICT;
