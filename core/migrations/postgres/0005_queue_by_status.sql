-- The queue is read newest first within one status at a time (a page of "everything but
-- spam" merges the four statuses' pages), so one index serves every status filter, each
-- status's count, and a time range (`from`, `to`) as a range of the index instead of a
-- walk from the newest row. Newest means received last; `seq` orders the many that
-- share a millisecond. (SQLite's index also holds the filtered columns; here they are
-- left out: the recent rows, the ones being worked on, are rarely all-visible, so their
-- heap is read anyway, and every insert would pay for them.)
DROP INDEX submissions_queue;
CREATE INDEX submissions_queue ON submissions (org_id, status, received_at, seq);
-- The search indexer and the search itself find submissions by `seq` alone.
CREATE UNIQUE INDEX submissions_seq ON submissions (seq);
