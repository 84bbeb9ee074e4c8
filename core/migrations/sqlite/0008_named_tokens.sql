-- API tokens get a name (what they are for), an id to list and revoke them by, and the
-- time they were last used.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
UPDATE api_tokens SET id = substr(token_digest, 1, 32);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT 'command line';
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
CREATE INDEX api_tokens_user ON api_tokens (user_id);
