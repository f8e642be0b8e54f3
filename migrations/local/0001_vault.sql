-- Stint's device vault. Only ciphertext, wrapped keys and plaintext ids live here: see docs/formats.md.

-- Vault settings: key protection mode, KDF parameters, wrapped device secrets, the default organization id.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;

-- Organization compartment keys, each wrapped under the device key.
CREATE TABLE org_keys (
    org         BLOB    NOT NULL,
    compartment INTEGER NOT NULL,
    epoch       INTEGER NOT NULL,
    wrapped     BLOB    NOT NULL,
    PRIMARY KEY (org, compartment, epoch)
) STRICT;

-- The latest version of every record: its envelope (org, id, kind and HLC are copies of its plaintext
-- header), and a device-local MAC ("seal") over org, id and the envelope's signature. The AEAD tag
-- covers header, nonce and ciphertext; the seal covers the rest, so any change on disk is caught at
-- unlock without an Ed25519 check per record.
CREATE TABLE records (
    org      BLOB    NOT NULL,
    id       BLOB    NOT NULL,
    kind     INTEGER NOT NULL,
    hlc      INTEGER NOT NULL,
    envelope BLOB    NOT NULL,
    seal     BLOB    NOT NULL,
    PRIMARY KEY (org, id)
) STRICT;

-- Every version written on this device, in order, waiting to be pushed to the sync server.
CREATE TABLE outbox (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    org      BLOB    NOT NULL,
    record   BLOB    NOT NULL,
    hlc      INTEGER NOT NULL,
    envelope BLOB    NOT NULL
) STRICT;
