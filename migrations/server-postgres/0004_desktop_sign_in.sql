-- The desktop sign-in hand-off (RFC 8252 with PKCE): a single-use code valid 60 seconds, bound to
-- the PKCE challenge and the loopback redirect; and sessions of desktop apps, which carry a
-- short-lived access token and a rotating refresh token (the previous one is remembered, so that a
-- stolen refresh token used after the real one ends the session).

CREATE TABLE handoff_codes (
    code_hash      BYTEA PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    challenge      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    device         TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);

ALTER TABLE sessions ADD COLUMN refresh_hash BYTEA;
ALTER TABLE sessions ADD COLUMN previous_refresh_hash BYTEA;
ALTER TABLE sessions ADD COLUMN access_expires_at BIGINT;
CREATE UNIQUE INDEX sessions_by_refresh ON sessions (refresh_hash);
CREATE INDEX sessions_by_previous_refresh ON sessions (previous_refresh_hash);
