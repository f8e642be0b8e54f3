-- Programmatic sign-in for the CLI: after the password, a one-time code is emailed to the account and
-- must come back with this challenge. The code is kept only as a keyed tag (a short code's plain hash
-- could be reversed by trying every code); a challenge allows five tries and ten minutes.

CREATE TABLE email_code_challenges (
    token_hash BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device     TEXT NOT NULL,
    code_tag   TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL
);
