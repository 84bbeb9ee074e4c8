-- Triage: who owns a submission, what was promised and when it was kept, and everything
-- that happened to it. Times are milliseconds since the Unix epoch, as everywhere.

-- Each person's language for the admin (NULL: the browser's) and the organisation's
-- time zone (an IANA name), in which every date is shown.
ALTER TABLE users ADD COLUMN locale TEXT;
ALTER TABLE orgs ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- Response targets in minutes (API.md, "SLA targets"); key customers get tighter ones.
ALTER TABLE sites ADD COLUMN sla_first_response INTEGER NOT NULL DEFAULT 240;
ALTER TABLE sites ADD COLUMN sla_resolution INTEGER NOT NULL DEFAULT 2880;
ALTER TABLE sites ADD COLUMN sla_key_first_response INTEGER NOT NULL DEFAULT 60;
ALTER TABLE sites ADD COLUMN sla_key_resolution INTEGER NOT NULL DEFAULT 1440;

-- No foreign key: the database would check it on every insert, and the only writer of
-- the column checks that the person belongs to the submission's organisation.
ALTER TABLE submissions ADD COLUMN assignee_id TEXT;
ALTER TABLE submissions ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE submissions ADD COLUMN first_response_due INTEGER;
ALTER TABLE submissions ADD COLUMN resolution_due INTEGER;
ALTER TABLE submissions ADD COLUMN first_response_at INTEGER;
ALTER TABLE submissions ADD COLUMN resolved_at INTEGER;
-- The next promise still to keep (first response, then resolution); NULL when none is
-- open. Only submissions with an open promise are in its index, so the collector pays
-- for it only on the complaints and low ratings that carry targets.
ALTER TABLE submissions ADD COLUMN due_at INTEGER;
ALTER TABLE submissions ADD COLUMN recovery_rating INTEGER CHECK (recovery_rating BETWEEN 1 AND 5);
ALTER TABLE submissions ADD COLUMN recovery_comment TEXT;

CREATE INDEX submissions_due ON submissions (org_id, due_at, seq) WHERE due_at IS NOT NULL;

-- The timeline: every change, note, reply and follow-up, with who (NULL: the shopper)
-- and when. `kind` says which; `body` holds a note's, reply's or follow-up's text, or
-- the new value of a field; `previous` the old one.
CREATE TABLE submission_events (
    id             TEXT PRIMARY KEY,
    submission_id  TEXT NOT NULL REFERENCES submissions (id),
    org_id         TEXT NOT NULL REFERENCES orgs (id),
    actor_id       TEXT REFERENCES users (id),
    kind           TEXT NOT NULL,
    body           TEXT,
    previous       TEXT,
    at             INTEGER NOT NULL
) STRICT;

CREATE INDEX submission_events_timeline ON submission_events (submission_id, at);

-- Emails waiting to be sent, written in the same transaction as the reply they carry,
-- so a reply that was acknowledged is never lost; a sender works through them with
-- retries, never inside the request.
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL UNIQUE REFERENCES submission_events (id),
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

CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Answers staff reuse, per organisation.
CREATE TABLE saved_replies (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX saved_replies_org ON saved_replies (org_id, title);

-- Full-text search over message, email, order and name. Hark splits the text into terms
-- itself (`hark_core::search`: lower-cased words, and for Chinese, Japanese and Korean
-- every character and every pair of neighbours), the same on both databases; here FTS5
-- keeps them, keyed by the submission's `seq`. An indexer fills it just after each
-- commit, off the collector's path.
CREATE VIRTUAL TABLE submission_search USING fts5 (terms, content = '', tokenize = 'unicode61 remove_diacritics 0');
