-- Recovery codes were kept as their bare SHA-256, which a copy of the database can test guesses
-- against offline; they are now keyed tags under the server key (as the CLI's emailed codes are).
-- Rows from before are tagged at the next start (the tag is taken over their old digest); `keyed`
-- says which rows are done.
ALTER TABLE recovery_codes ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
