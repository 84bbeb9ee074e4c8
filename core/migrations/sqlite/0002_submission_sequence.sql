-- The queue's order is the order submissions were stored in, a sequence number, not the
-- clock: many share a millisecond, and instances' clocks differ. SQLite cannot add such
-- a column in place, so the table is rebuilt with `seq` as its rowid (numbered in the
-- order of arrival) and `id` as a unique key.
CREATE TABLE submissions_new (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    site_id        TEXT NOT NULL REFERENCES sites (id),
    org_id         TEXT NOT NULL REFERENCES orgs (id),
    kind           TEXT NOT NULL CHECK (kind IN ('csat', 'feedback', 'complaint')),
    rating         INTEGER CHECK (rating BETWEEN 1 AND 5),
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
    received_at    INTEGER NOT NULL
) STRICT;

INSERT INTO submissions_new (id, site_id, org_id, kind, rating, dimensions, category, stage, message, email, name,
                             order_ref, page_url, locale, customer_id, customer_tier, metadata, content_digest,
                             track_token, status, priority, received_at)
SELECT id, site_id, org_id, kind, rating, dimensions, category, stage, message, email, name,
       order_ref, page_url, locale, customer_id, customer_tier, metadata, content_digest,
       track_token, status, priority, received_at
FROM submissions ORDER BY received_at, rowid;

DROP TABLE submissions;
ALTER TABLE submissions_new RENAME TO submissions;
CREATE INDEX submissions_queue ON submissions (org_id, seq);
