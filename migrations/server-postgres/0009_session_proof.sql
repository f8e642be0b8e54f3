-- When a session's holder last proved who they are: its sign-in, or a later step-up (the password,
-- and the second factor, again). Sensitive changes (a passkey added, the password removed, two-factor
-- sign-in turned on or off, an API token made) need a proof from the last few minutes, so that a
-- stolen session alone cannot make them. NULL: the session's creation.
ALTER TABLE sessions ADD COLUMN proved_at BIGINT;
