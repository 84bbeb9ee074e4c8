-- A submission's organisation is its site's: one foreign key on the pair says so, where
-- two (site, organisation) only said that each exists, and one check per row costs less
-- than two. SQLite cannot change a foreign key in place, so the table is rebuilt as in
-- 0003; `seq` keeps its values.
CREATE UNIQUE INDEX sites_id_org_id ON sites (id, org_id);

CREATE TABLE submissions_new (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    site_id        TEXT NOT NULL,
    org_id         TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind = 'csat' OR kind = 'feedback' OR kind = 'complaint'),
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
                   CHECK (status = 'new' OR status = 'open' OR status = 'pending' OR status = 'resolved'
                          OR status = 'spam'),
    priority       TEXT NOT NULL DEFAULT 'normal'
                   CHECK (priority = 'low' OR priority = 'normal' OR priority = 'high' OR priority = 'urgent'),
    received_at    INTEGER NOT NULL,
    FOREIGN KEY (site_id, org_id) REFERENCES sites (id, org_id)
) STRICT;

INSERT INTO submissions_new SELECT * FROM submissions ORDER BY seq;

DROP TABLE submissions;
ALTER TABLE submissions_new RENAME TO submissions;
CREATE INDEX submissions_queue ON submissions (org_id, seq);
