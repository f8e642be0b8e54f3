-- Sync, part 2: an accepted invitation makes a *pending* member, not a member. A pending member
-- can neither pull nor push, and holds no key, until an Owner or Admin has compared their identity
-- fingerprint and confirmed them, handing over the keys their role may hold (key deliveries,
-- docs/formats.md). The server never confirms on its own: confirming needs those deliveries,
-- signed by the confirming person's identity.
CREATE TABLE pending_members (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    invited_by  TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

ALTER TABLE pending_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE pending_members FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON pending_members
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));

-- Every organization key handed over is a key delivery: the sealed key with the sealer's identity
-- signature over it (the other fields are the row's). Rows from before (sync part 1, sealed by a
-- member to themselves) have none: devices no longer open them, and the member's own device
-- replaces each with a signed delivery of the same key.
ALTER TABLE sealed_keys ADD COLUMN signature BYTEA CHECK (signature IS NULL OR length(signature) = 64);
