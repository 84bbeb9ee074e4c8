-- Insights: roll-ups of what each submission contributes to the figures (see
-- `store::metrics`), per organisation (`org_id` holds its count key, see below), site
-- (and '' for all its sites), span of days
-- (1, or a block of 32 days starting at a multiple of 32), first local day (days since
-- 1970-01-01 in the organisation's time zone), measure and key: how many, the sum of
-- their values and of the values' squares. Each fact is added four times, once per site
-- and span, so that a year of all sites reads a few thousand rows. The search indexer
-- adds each submission's share as it indexes it; triage changes move a counted
-- submission's share.
CREATE TABLE metric_days (
    org_id   TEXT NOT NULL,
    site_id  TEXT NOT NULL,
    span     BIGINT NOT NULL,
    day      BIGINT NOT NULL,
    measure  TEXT NOT NULL,
    key      TEXT NOT NULL,
    n        BIGINT NOT NULL,
    total    BIGINT NOT NULL,
    squares  BIGINT NOT NULL,
    PRIMARY KEY (org_id, site_id, span, day, measure, key)
);

-- The same for the phrases of complaints and low ratings (key: category TAB phrase),
-- apart so that the figures never read them.
CREATE TABLE metric_phrases (
    org_id   TEXT NOT NULL,
    site_id  TEXT NOT NULL,
    span     BIGINT NOT NULL,
    day      BIGINT NOT NULL,
    measure  TEXT NOT NULL,
    key      TEXT NOT NULL,
    n        BIGINT NOT NULL,
    total    BIGINT NOT NULL,
    squares  BIGINT NOT NULL,
    PRIMARY KEY (org_id, site_id, span, day, measure, key)
);

-- Where an organisation's roll-ups are: under `count_key` in their `org_id` column
-- (NULL: the organisation's id), by the days of `count_zone` (NULL: its time zone).
-- After a change of time zone they stay, complete, while a recount fills `recount_key`
-- by the new zone's days in the background, `recounted_to` being the highest submission
-- `seq` it has counted; complete, it takes over (see `store::metrics::Counts`).
ALTER TABLE orgs ADD COLUMN count_key TEXT;
ALTER TABLE orgs ADD COLUMN count_zone TEXT;
ALTER TABLE orgs ADD COLUMN recount_key TEXT;
ALTER TABLE orgs ADD COLUMN recounted_to BIGINT;

-- Roll-ups no longer read (a recount replaced them, or was dropped), deleted a part
-- at a time in the background.
CREATE TABLE stale_counts (
    key TEXT PRIMARY KEY
);

-- The open promises' index, widened so that the backlog by age (when each arrived, on
-- which site) is read from it alone, not from 40,000 rows of the table at a million.
DROP INDEX submissions_due;
CREATE INDEX submissions_due ON submissions (org_id, due_at, seq) INCLUDE (received_at, site_id) WHERE due_at IS NOT NULL;

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
    created_at  BIGINT NOT NULL
);

CREATE INDEX marks_org ON marks (org_id, day);

-- The roll-ups fill as submissions are indexed: index every stored one again, which
-- counts it too (the server does so in its quiet moments after the upgrade).
TRUNCATE submission_search;
DELETE FROM settings WHERE key = 'search_indexed_seq';
