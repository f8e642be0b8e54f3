-- Accounts and sign-in on the embedded SQLite server database (server.db).
-- Times are Unix seconds; ids are ULIDs as text; secrets are stored only as hashes, or encrypted
-- under the server key (totp_secret).

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    password_hash     TEXT,
    email_verified_at INTEGER,
    totp_secret       BLOB,
    totp_enabled_at   INTEGER,
    totp_last_step    INTEGER,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE email_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    device       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash BLOB NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE sign_in_challenges (
    token_hash BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

-- Shared by every process using this database: fixed-window request counters and failure lockouts.
CREATE TABLE rate_counters (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL
) STRICT;

CREATE TABLE lockouts (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL
) STRICT;
