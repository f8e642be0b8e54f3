-- Conflicts found while merging received versions (docs/sync.md, "Merging"): fields of one record that
-- two writes changed without either knowing the other. The losing version is kept as its envelope,
-- encrypted and signed as it arrived or was written, so the person can review it and put it back.
-- Plaintext here is what the records table already shows (ids, kind) and which fields lost.
CREATE TABLE conflicts (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    org         BLOB    NOT NULL,
    record      BLOB    NOT NULL,
    kind        INTEGER NOT NULL,
    -- The fields that lost, as field indices of the record's kind, two bytes each, big-endian.
    fields      BLOB    NOT NULL,
    lost        BLOB    NOT NULL,
    lost_hlc    INTEGER NOT NULL,
    lost_device BLOB    NOT NULL,
    -- 0: open; 1: kept as merged; 2: the lost values were put back.
    resolved    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org, record, lost_hlc, lost_device)
) STRICT;
