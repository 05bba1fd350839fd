-- A city's history (issue 14 §2), postgres. Keep in step with ../sqlite/0017_named_cases.sql.
--
-- Every sync computes its user's scope, which includes the cases outside their unit that name
-- them (handler, responsible leader). With an index on the name alone, that read walked every
-- case naming them — for a township leader, most of the township's history — to keep the few
-- outside it, so each sync grew with the years. With the path beside the name, it seeks the
-- two ranges outside the unit and reads only what it returns.
CREATE INDEX cases_handler_path ON cases(handler, unit_path);
CREATE INDEX cases_leader_path ON cases(responsible_leader, unit_path);
DROP INDEX cases_handler;
DROP INDEX cases_responsible_leader;
