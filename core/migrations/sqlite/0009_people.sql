-- People. A removed person keeps their row (the timeline still says who did what) but
-- nothing they could sign in with; invitations bring new people in, one use each, until
-- they expire.
ALTER TABLE users ADD COLUMN removed_at INTEGER;

CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs (id),
    email         TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'agent', 'viewer')),
    token_digest  TEXT NOT NULL UNIQUE,
    invited_by    TEXT NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    accepted_at   INTEGER
);
CREATE INDEX invitations_org ON invitations (org_id, created_at);
