-- PostgreSQL dialect. Times are milliseconds since the Unix epoch (UTC), as BIGINT so
-- the same queries run on SQLite; lists are JSON arrays kept as TEXT for the same reason.
CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs (id),
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'agent', 'viewer')),
    created_at     BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_digest  TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_digest  TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sites (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs (id),
    name             TEXT NOT NULL,
    site_key         TEXT NOT NULL UNIQUE,
    secret           TEXT NOT NULL,
    allowed_origins  TEXT NOT NULL,
    categories       TEXT NOT NULL,
    enabled_kinds    TEXT NOT NULL,
    require_email    BIGINT NOT NULL DEFAULT 0,
    disabled         BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

CREATE TABLE submissions (
    id             TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL REFERENCES sites (id),
    org_id         TEXT NOT NULL REFERENCES orgs (id),
    kind           TEXT NOT NULL CHECK (kind IN ('csat', 'feedback', 'complaint')),
    rating         BIGINT CHECK (rating BETWEEN 1 AND 5),
    dimensions     TEXT,
    category       TEXT,
    stage          TEXT,
    message        TEXT,
    email          TEXT,
    name           TEXT,
    order_ref      TEXT,
    page_url       TEXT,
    locale         TEXT,
    customer_id    TEXT,
    customer_tier  TEXT,
    metadata       TEXT,
    content_digest TEXT NOT NULL,
    track_token    TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'open', 'pending', 'resolved', 'spam')),
    priority       TEXT NOT NULL DEFAULT 'normal'
                   CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    received_at    BIGINT NOT NULL
);

CREATE INDEX submissions_queue ON submissions (org_id, received_at DESC, id DESC);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
