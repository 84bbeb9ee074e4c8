-- Insights: daily roll-ups of what each submission contributes to the figures (see
-- `store::metrics`), per organisation, local day (days since 1970-01-01 in the
-- organisation's time zone), site, measure and key: how many, the sum of their values
-- and of the values' squares. The search indexer adds each submission's share as it
-- indexes it; triage changes move a counted submission's share.
CREATE TABLE metric_days (
    org_id   TEXT NOT NULL,
    day      INTEGER NOT NULL,
    site_id  TEXT NOT NULL,
    measure  TEXT NOT NULL,
    key      TEXT NOT NULL,
    n        INTEGER NOT NULL,
    total    INTEGER NOT NULL,
    squares  INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, site_id, measure, key)
) STRICT, WITHOUT ROWID;

-- The same for the phrases of complaints and low ratings (key: category TAB phrase),
-- apart so that the figures never read them.
CREATE TABLE metric_phrases (
    org_id   TEXT NOT NULL,
    day      INTEGER NOT NULL,
    site_id  TEXT NOT NULL,
    measure  TEXT NOT NULL,
    key      TEXT NOT NULL,
    n        INTEGER NOT NULL,
    total    INTEGER NOT NULL,
    squares  INTEGER NOT NULL,
    PRIMARY KEY (org_id, day, site_id, measure, key)
) STRICT, WITHOUT ROWID;

-- Plan–do–check: a change the shop made, on a local day (YYYY-MM-DD), for a site and
-- optionally one of its categories.
CREATE TABLE marks (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    category    TEXT,
    day         TEXT NOT NULL,
    title       TEXT NOT NULL,
    created_by  TEXT,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX marks_org ON marks (org_id, day);

-- The roll-ups fill as submissions are indexed: index every stored one again, which
-- counts it too (the server does so in its quiet moments after the upgrade).
INSERT INTO submission_search (submission_search) VALUES ('delete-all');
DELETE FROM settings WHERE key = 'search_indexed_seq';
