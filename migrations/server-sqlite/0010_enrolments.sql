-- Enrolling a device by short code: a new device's request under a three-digit nameplate, and the
-- answer of an enrolled device of the same account. SPAKE2 messages and a sealed key, opaque to the
-- server; a request lives ten minutes. docs/formats.md, "Enrolment".

CREATE TABLE enrolments (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nameplate  INTEGER NOT NULL CHECK (nameplate BETWEEN 100 AND 999),
    request    BLOB NOT NULL CHECK (length(request) = 114),
    answer     BLOB CHECK (length(answer) = 106),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, nameplate)
) STRICT;
