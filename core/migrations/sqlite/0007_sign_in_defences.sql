-- Sign-in on the open internet. A session ends when idle as well as at its absolute
-- expiry (`expires_at`); failed sign-ins are counted per account and per client address
-- in the database, so that the throttle holds across instances and restarts.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;
-- A person's sessions end together (password change, removal, "sign out everywhere").
CREATE INDEX sessions_user ON sessions (user_id);

-- `key`: `account <email>` or `client <address>` (an IPv6 client by its /64).
CREATE TABLE sign_in_failures (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failed_at  INTEGER NOT NULL,
    blocked_until   INTEGER NOT NULL
);
