-- Sync, part 2: invoice numbers in a synced organization are handed out here, so that two people
-- issuing at the same moment never get the same number nor leave a gap. A series is named by a
-- keyed hash the server cannot read (docs/formats.md, "Invoice series"); each invoice gets one
-- number, the same again when it asks again.
CREATE TABLE invoice_numbers (
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    series     BYTEA NOT NULL CHECK (length(series) = 32),
    number     BIGINT NOT NULL CHECK (number >= 1),
    invoice_id TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, series, number),
    UNIQUE (org_id, invoice_id)
);

ALTER TABLE invoice_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE invoice_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY by_organization ON invoice_numbers
    USING (org_id = current_setting('app.org', true))
    WITH CHECK (org_id = current_setting('app.org', true));
