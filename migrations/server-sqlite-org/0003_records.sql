-- Sync, part 1: the latest envelope of every record of the organization, each with a sequence
-- number handed out under the file's write lock (BEGIN IMMEDIATE), so commit order is sequence order
-- and `pull?after=cursor` never skips a row. An update moves its record to a new number. The server
-- keeps only what it must to route and check: the record id, its HLC and author device (for the
-- idempotency of retried pushes and for choosing the latest version), and the envelope as sealed.

CREATE TABLE records (
    org_id        TEXT NOT NULL,
    record        BLOB NOT NULL CHECK (length(record) = 16),
    seq           INTEGER NOT NULL CHECK (seq > 0),
    hlc           INTEGER NOT NULL CHECK (hlc >= 0),
    author_device BLOB NOT NULL CHECK (length(author_device) = 16),
    envelope      BLOB NOT NULL,
    PRIMARY KEY (org_id, record)
) STRICT;

CREATE UNIQUE INDEX records_by_seq ON records (org_id, seq);

-- The highest sequence number handed out, and the history id: a fresh random id whenever the
-- organization's records start from nothing, so a client can tell a new history from its own.
CREATE TABLE sync_state (
    org_id  TEXT PRIMARY KEY,
    history BLOB NOT NULL CHECK (length(history) = 16),
    head    INTEGER NOT NULL CHECK (head >= 0)
) STRICT;

-- Organization keys sealed to a member's identity (X25519), one per compartment and epoch: how
-- another device of that member (and in part 2, another member) receives them. The server cannot
-- open them. A slot, once filled, keeps its key.
CREATE TABLE sealed_keys (
    org_id      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    compartment INTEGER NOT NULL CHECK (compartment IN (1, 2)),
    epoch       INTEGER NOT NULL CHECK (epoch >= 1),
    sealed      BLOB NOT NULL CHECK (length(sealed) = 105),
    sealed_by   TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id, compartment, epoch)
) STRICT;
