-- A city's history (issue 14 §2), sqlite. Keep in step with ../postgres/0015_settled_at.sql.
--
-- A month's statistics count the cases settled in that month; without a column saying when a
-- case was settled they read every settled case of the jurisdiction's whole history (and parse
-- its JSON) to find out. `settled_at` is that time, filled by the projection (NULL while the
-- case is open or its closure awaits confirmation). Rows written before this migration have it
-- NULL until `anlan reproject`; the statistics read those the old way, so figures never change.
ALTER TABLE cases ADD COLUMN settled_at INTEGER;
CREATE INDEX cases_settled ON cases(settled_at);

-- The cases reported in a period, in the keyset order the exports page them by.
CREATE INDEX cases_reported ON cases(reported_at, doc_id);
