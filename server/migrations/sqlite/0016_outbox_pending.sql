-- The merge path at scale (issue 14 §1), sqlite. Keep in step with ../postgres/0016_outbox_pending.sql.
--
-- The alert worker looks for outbox rows not yet turned into deliveries after every commit,
-- inside a write transaction. Without an index on what is pending it walked the whole outbox
-- (every alert ever raised) to find none: the cost of each commit grew with the history.
CREATE INDEX outbox_pending ON outbox(id) WHERE done_at IS NULL;
