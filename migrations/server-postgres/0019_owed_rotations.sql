-- Sync, part 2: compartments owed a new key (docs/sync.md, "Leaving"). After each membership log
-- entry, the compartments someone stopped reading whose key has not moved on since, one bit each
-- (1: team, 2: finance), as `stint_domain::Membership::owed` gives them. Someone who leaves cannot
-- make the key the others would use next, so until an Owner's or Admin's device does, the server
-- takes nothing more sealed for those compartments. Entries stored before this column are all 0:
-- every removal then came with its new epochs.
ALTER TABLE membership_log ADD COLUMN owed SMALLINT NOT NULL DEFAULT 0;
