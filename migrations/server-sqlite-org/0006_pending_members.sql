-- Sync, part 2: an accepted invitation makes a *pending* member, not a member. A pending member
-- can neither pull nor push, and holds no key, until an Owner or Admin has compared their identity
-- fingerprint and confirmed them, handing over the keys their role may hold (key deliveries,
-- docs/formats.md). The server never confirms on its own: confirming needs those deliveries,
-- signed by the confirming person's identity.
CREATE TABLE pending_members (
    org_id      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    invited_by  TEXT NOT NULL,
    accepted_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
) STRICT;

-- Every organization key handed over is a key delivery: the sealed key with the sealer's identity
-- signature over it (the other fields are the row's). Rows from before (sync part 1, sealed by a
-- member to themselves) have none: devices no longer open them, and the member's own device
-- replaces each with a signed delivery of the same key.
ALTER TABLE sealed_keys ADD COLUMN signature BLOB CHECK (signature IS NULL OR length(signature) = 64);
