-- Insights: roll-ups of what each submission contributes to the figures (see
-- `store::metrics`), per organisation, site (and '' for all its sites), span of days
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

-- While a change of time zone has the figures counted again (in the background, in
-- chunks): the highest submission `seq` counted again so far. NULL when the roll-ups
-- hold every counted submission of the organisation.
ALTER TABLE orgs ADD COLUMN recounted_to BIGINT;

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
