-- Sync, part 2: invoice numbers in a synced organization are handed out here, so that two people
-- issuing at the same moment never get the same number nor leave a gap. A series is named by a
-- keyed hash the server cannot read (docs/formats.md, "Invoice series"); each invoice gets one
-- number, the same again when it asks again.
CREATE TABLE invoice_numbers (
    org_id     TEXT NOT NULL,
    series     BLOB NOT NULL CHECK (length(series) = 32),
    number     INTEGER NOT NULL CHECK (number >= 1),
    invoice_id TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, series, number),
    UNIQUE (org_id, invoice_id)
) STRICT;
