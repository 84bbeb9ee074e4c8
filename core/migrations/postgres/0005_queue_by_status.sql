-- The queue is read newest first within one status at a time (a page of "everything but
-- spam" merges the four statuses' pages), so one index serves every status filter, each
-- status's count, and a time range (`from`, `to`) as a range of the index instead of a
-- walk from the newest row. Newest means received last; `seq` orders the many that
-- share a millisecond. The columns the filters test are included, so that a page or a
-- count reads the index alone (where the visibility map allows) and fetches only the
-- rows it shows.
DROP INDEX submissions_queue;
CREATE INDEX submissions_queue ON submissions (org_id, status, received_at, seq)
    INCLUDE (site_id, kind, priority, stage, category, rating, assignee_id, due_at);
-- The search indexer and the search itself find submissions by `seq` alone.
CREATE UNIQUE INDEX submissions_seq ON submissions (seq);
