-- When each device of an account was last heard from (Unix seconds; the server's clock), for the
-- account's own device list. Written at most once a minute per device (crates/server/src/app.rs).
ALTER TABLE devices ADD COLUMN last_seen_at BIGINT;
