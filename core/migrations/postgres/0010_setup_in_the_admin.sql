-- Sites set up in the admin: a theme colour for the widget, and the signing secret being
-- replaced, which still verifies until its grace period ends.
ALTER TABLE sites ADD COLUMN theme_color TEXT;
ALTER TABLE sites ADD COLUMN previous_secret TEXT;
ALTER TABLE sites ADD COLUMN previous_secret_until BIGINT;

-- "Is it installed?": where each site's widget was last seen, by the browser's origin.
-- Written now and then from memory, never on a request's path. `allowed`: whether the
-- origin was one of the site's when last seen (refused ones are kept to a few a site).
CREATE TABLE site_origins (
    site_id       TEXT NOT NULL REFERENCES sites (id),
    origin        TEXT NOT NULL,
    allowed       BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    PRIMARY KEY (site_id, origin)
);

-- Who changed what in an organisation's setup (sites, people, tokens, roles) and who
-- signed in: when, and from which address.
CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    org_id    TEXT NOT NULL REFERENCES orgs (id),
    at        BIGINT NOT NULL,
    actor_id  TEXT REFERENCES users (id),
    client    TEXT,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_id, at, id);

-- Invitations are emailed from the outbox too: an email need not carry a reply.
ALTER TABLE outbox ALTER COLUMN event_id DROP NOT NULL;
