-- Sync, part 2: the organization's membership log (docs/formats.md, "Membership log entry"). Each
-- entry adds a member with their identity, changes a role, removes someone or moves a compartment's
-- key on, signed by an Owner's or Admin's identity and chained to the entry before. The server
-- cannot write one; it keeps them in order, and keeps its `members` table in step with them (an
-- entry and the change it makes are stored in one transaction).
CREATE TABLE membership_log (
    org_id TEXT NOT NULL,
    seq    INTEGER NOT NULL CHECK (seq >= 1),
    entry  BLOB NOT NULL,
    PRIMARY KEY (org_id, seq)
) STRICT;
