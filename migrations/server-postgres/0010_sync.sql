-- Sync, part 1 (as migrations/server-sqlite/0009 and server-sqlite-org/0003): identities, device
-- certificates, and each organization's records with their sequence numbers, handed out under the
-- organization's advisory lock. Records and sync state carry row-level security by organization.

CREATE TABLE identities (
    user_id               TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    public                BYTEA NOT NULL CHECK (length(public) = 81),
    wrapped_account_key   BYTEA NOT NULL CHECK (length(wrapped_account_key) = 73),
    wrapped_identity_keys BYTEA NOT NULL CHECK (length(wrapped_identity_keys) = 163),
    created_at            BIGINT NOT NULL
);

CREATE TABLE devices (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device      BYTEA NOT NULL CHECK (length(device) = 16),
    certificate BYTEA NOT NULL CHECK (length(certificate) = 169),
    label       BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    revocation  BYTEA,
    PRIMARY KEY (user_id, device)
);

CREATE TABLE records (
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    record        BYTEA NOT NULL CHECK (length(record) = 16),
    seq           BIGINT NOT NULL CHECK (seq > 0),
    hlc           BIGINT NOT NULL CHECK (hlc >= 0),
    author_device BYTEA NOT NULL CHECK (length(author_device) = 16),
    envelope      BYTEA NOT NULL,
    PRIMARY KEY (org_id, record)
);

CREATE UNIQUE INDEX records_by_seq ON records (org_id, seq);

CREATE TABLE sync_state (
    org_id  TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    history BYTEA NOT NULL CHECK (length(history) = 16),
    head    BIGINT NOT NULL CHECK (head >= 0)
);

CREATE TABLE sealed_keys (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    compartment BIGINT NOT NULL CHECK (compartment IN (1, 2)),
    epoch       BIGINT NOT NULL CHECK (epoch >= 1),
    sealed      BYTEA NOT NULL CHECK (length(sealed) = 105),
    sealed_by   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id, compartment, epoch)
);

ALTER TABLE sealed_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE sealed_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON sealed_keys
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON records
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));

ALTER TABLE sync_state ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_state FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON sync_state
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));
