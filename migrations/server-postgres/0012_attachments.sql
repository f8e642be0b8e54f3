-- As migrations/server-sqlite-org/0004: attachments, each one envelope as uploaded, fetched by id.

CREATE TABLE attachments (
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id            BYTEA NOT NULL CHECK (length(id) = 16),
    hlc           BIGINT NOT NULL CHECK (hlc >= 0),
    author_device BYTEA NOT NULL CHECK (length(author_device) = 16),
    size          BIGINT NOT NULL CHECK (size = length(envelope)),
    envelope      BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON attachments
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));
