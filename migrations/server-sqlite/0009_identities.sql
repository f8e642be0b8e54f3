-- Sync, part 1: each account's published identity and its keys as the server may keep them (wrapped
-- under keys it never sees), and the account's device certificates. docs/formats.md, "Identity".

CREATE TABLE identities (
    user_id               TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    public                BLOB NOT NULL CHECK (length(public) = 81),
    wrapped_account_key   BLOB NOT NULL CHECK (length(wrapped_account_key) = 73),
    wrapped_identity_keys BLOB NOT NULL CHECK (length(wrapped_identity_keys) = 163),
    created_at            INTEGER NOT NULL
) STRICT;

-- A device's label is opaque to the server (the client may seal it); its certificate was checked
-- against the account's identity when stored, and its revocation when revoked.
CREATE TABLE devices (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device      BLOB NOT NULL CHECK (length(device) = 16),
    certificate BLOB NOT NULL CHECK (length(certificate) = 169),
    label       BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    revocation  BLOB,
    PRIMARY KEY (user_id, device)
) STRICT;
