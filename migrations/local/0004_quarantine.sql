-- Envelopes refused on arrival (docs/sync.md, "A server that lies"): kept as they arrived, with the
-- server's sequence number they came at and why they were refused, for the person to review and for
-- the next rounds to try again (as kept, then as the server serves that number then). Nothing here is
-- shown as data or trusted: a row is stored only after the envelope passes every check again.
CREATE TABLE quarantine (
    org        BLOB    NOT NULL,
    seq        INTEGER NOT NULL,
    envelope   BLOB    NOT NULL,
    reason     TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (org, seq)
) STRICT;
