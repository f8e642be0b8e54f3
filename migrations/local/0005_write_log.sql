-- Write logs (docs/sync.md, "A server that lies"; docs/formats.md, "Write log").
--
-- Versions this device pushed and the server acknowledged, waiting to be listed in this device's
-- next write log entry. Filled in the transaction that removes them from the outbox, emptied in the
-- one that writes the entry.
CREATE TABLE acked (
    org    BLOB    NOT NULL,
    record BLOB    NOT NULL,
    kind   INTEGER NOT NULL,
    hlc    INTEGER NOT NULL,
    PRIMARY KEY (org, record)
) STRICT;

-- Versions other devices' write log entries list that this device has not seen yet (neither them
-- nor a later version of their record). Deleted once seen; what is left after a pull to the head
-- is what the server hides.
CREATE TABLE claims (
    org    BLOB    NOT NULL,
    device BLOB    NOT NULL,
    record BLOB    NOT NULL,
    kind   INTEGER NOT NULL,
    hlc    INTEGER NOT NULL,
    PRIMARY KEY (org, device, record)
) STRICT;

-- Every write log entry received from another device, to find the entries missing from a chain.
CREATE TABLE write_logs (
    org         BLOB    NOT NULL,
    device      BLOB    NOT NULL,
    compartment INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    hash        BLOB    NOT NULL,
    previous    BLOB    NOT NULL,
    PRIMARY KEY (org, device, compartment, number)
) STRICT;

-- How far each chain received is checked: every entry up to `number` arrived, each naming the hash
-- of the one before; `hash` is entry `number`'s. The `write_logs` rows up to it are deleted, so a
-- round checks only what is new.
CREATE TABLE write_log_heads (
    org         BLOB    NOT NULL,
    device      BLOB    NOT NULL,
    compartment INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    hash        BLOB    NOT NULL,
    PRIMARY KEY (org, device, compartment)
) STRICT;
