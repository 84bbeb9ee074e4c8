-- Sites set up in the admin: a theme colour for the widget, and the signing secret being
-- replaced, which still verifies until its grace period ends.
ALTER TABLE sites ADD COLUMN theme_color TEXT;
ALTER TABLE sites ADD COLUMN previous_secret TEXT;
ALTER TABLE sites ADD COLUMN previous_secret_until INTEGER;

-- "Is it installed?": where each site's widget was last seen, by the browser's origin.
-- Written now and then from memory, never on a request's path. `allowed`: whether the
-- origin was one of the site's when last seen (refused ones are kept to a few a site).
CREATE TABLE site_origins (
    site_id       TEXT NOT NULL REFERENCES sites (id),
    origin        TEXT NOT NULL,
    allowed       INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    PRIMARY KEY (site_id, origin)
) STRICT;

-- Who changed what in an organisation's setup (sites, people, tokens, roles) and who
-- signed in: when, and from which address.
CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL REFERENCES orgs (id),
    at        INTEGER NOT NULL,
    actor_id  TEXT REFERENCES users (id),
    client    TEXT,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT
) STRICT;
CREATE INDEX audit_log_org ON audit_log (org_id, at, id);

-- Invitations are emailed from the outbox too: an email need not carry a reply.
CREATE TABLE outbox_new (
    id               TEXT PRIMARY KEY,
    event_id         TEXT UNIQUE REFERENCES submission_events (id),
    org_id           TEXT NOT NULL REFERENCES orgs (id),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    sent_at          INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL
) STRICT;
INSERT INTO outbox_new SELECT id, event_id, org_id, recipient, subject, body, attempts, next_attempt_at, sent_at,
                              last_error, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;
