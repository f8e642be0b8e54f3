-- Sync, part 2: what the server needs to apply the role table to records it cannot read, copied
-- from each envelope's plaintext header when it is pushed: its kind, its owner (the member a time
-- entry, expense or write log entry belongs to; NULL for the organization's own records) and
-- whether it is deleted. A push is checked against them (a record never changes kind or owner; a
-- deletion is final) and a Member's pull is filtered by them.
--
-- Rows stored before are all header version 1 (docs/formats.md), which names no owner: then only
-- the account wrote in a synced organization, so such a record is its author's (bytes 40-55).
ALTER TABLE records ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN owner BLOB CHECK (owner IS NULL OR length(owner) = 16);
ALTER TABLE records ADD COLUMN tombstone INTEGER NOT NULL DEFAULT 0 CHECK (tombstone IN (0, 1));

UPDATE records SET
    kind = CASE hex(substr(envelope, 34, 2))
        WHEN '0001' THEN 1
        WHEN '0002' THEN 2
        WHEN '0003' THEN 3
        WHEN '0004' THEN 4
        WHEN '0005' THEN 5
        WHEN '0006' THEN 6
        WHEN '0007' THEN 7
        WHEN '0008' THEN 8
        WHEN '0009' THEN 9
        WHEN '000A' THEN 10
        WHEN '000B' THEN 11
        WHEN '000C' THEN 12
        WHEN '000D' THEN 13
        WHEN '000E' THEN 14
        WHEN '000F' THEN 15
        WHEN '0010' THEN 16
        WHEN '0011' THEN 17
    END,
    tombstone = hex(substr(envelope, 81, 1)) = '01';
UPDATE records SET owner = substr(envelope, 41, 16) WHERE kind IN (9, 10, 16, 17);
