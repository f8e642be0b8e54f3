-- Sync, part 2: the organization's membership log (docs/formats.md, "Membership log entry"). Each
-- entry adds a member with their identity, changes a role, removes someone or moves a compartment's
-- key on, signed by an Owner's or Admin's identity and chained to the entry before. The server
-- cannot write one; it keeps them in order, and keeps its `members` table in step with them (an
-- entry and the change it makes are stored in one transaction).
CREATE TABLE membership_log (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seq    BIGINT NOT NULL CHECK (seq >= 1),
    entry  BYTEA NOT NULL,
    PRIMARY KEY (org_id, seq)
);

ALTER TABLE membership_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE membership_log FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON membership_log
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));
