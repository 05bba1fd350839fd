-- Partial replicas (PROTOCOL.md §12), postgres. Keep in step with ../sqlite/0014_partial_replica.sql.

-- Opening a case by its number on a phone that does not hold it: one seek, not a scan.
CREATE INDEX cases_case_no ON cases(case_no);

-- Which cases left a working set in a window of time: finished cases by their last change.
CREATE INDEX documents_updated ON documents(updated_at);
