-- A sign-up's password waits beside its verification token and becomes the account's only when that
-- token confirms the address: signing up first with someone else's address no longer leaves the
-- first sign-up's password on the account that its owner then confirms (pre-hijacking).
ALTER TABLE email_tokens ADD COLUMN password_hash TEXT;
-- The passwords of sign-ups made before this change stay on their (unconfirmed) accounts until they
-- are confirmed; new unconfirmed accounts hold none.
