-- Attachments (receipts, logos): each one envelope, sealed and signed by the device that attached
-- it, uploaded on its own route and fetched by id when a device first needs it. Attachments never
-- change, so there is no sequence number: records name them. `size` is the envelope's length, for
-- the organization's storage limit. docs/sync.md, "Attachments".

CREATE TABLE attachments (
    org_id        TEXT NOT NULL,
    id            BLOB NOT NULL CHECK (length(id) = 16),
    hlc           INTEGER NOT NULL CHECK (hlc >= 0),
    author_device BLOB NOT NULL CHECK (length(author_device) = 16),
    size          INTEGER NOT NULL CHECK (size = length(envelope)),
    envelope      BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
) STRICT;
