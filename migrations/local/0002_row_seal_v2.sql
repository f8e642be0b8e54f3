-- Row seal format 2 (docs/formats.md): the seal now covers the row's kind and HLC as well, and has a
-- part that covers the plaintext columns alone, which unlock checks for the rows it does not read
-- (attachments). So that reading it never touches a large envelope's overflow pages, the seal moves
-- before the envelope: SQLite stores a row's columns in order, and only the end of a large row spills.
CREATE TABLE records_v2 (
    org      BLOB    NOT NULL,
    id       BLOB    NOT NULL,
    kind     INTEGER NOT NULL,
    hlc      INTEGER NOT NULL,
    seal     BLOB    NOT NULL,
    envelope BLOB    NOT NULL,
    PRIMARY KEY (org, id)
) STRICT;

INSERT INTO records_v2 (rowid, org, id, kind, hlc, seal, envelope)
    SELECT rowid, org, id, kind, hlc, seal, envelope FROM records;

DROP TABLE records;

ALTER TABLE records_v2 RENAME TO records;

-- The existing seals are of format 1; the first unlock (which has the device key) checks each row and
-- reseals it in format 2, then deletes this marker.
INSERT INTO meta (name, value) VALUES ('row_seal_upgrade', x'02');
