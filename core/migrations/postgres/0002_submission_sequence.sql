-- The queue's order is the order submissions were stored in, a sequence number, not the
-- clock: many share a millisecond, and instances' clocks differ. Existing rows are
-- numbered by arrival time.
ALTER TABLE submissions ADD COLUMN seq BIGINT;
UPDATE submissions s SET seq = o.n
FROM (SELECT id, row_number() OVER (ORDER BY received_at, id) AS n FROM submissions) o
WHERE o.id = s.id;
ALTER TABLE submissions ALTER COLUMN seq SET NOT NULL;
ALTER TABLE submissions ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('submissions', 'seq'), COALESCE(MAX(seq), 0) + 1, false) FROM submissions;
DROP INDEX submissions_queue;
CREATE INDEX submissions_queue ON submissions (org_id, seq);
