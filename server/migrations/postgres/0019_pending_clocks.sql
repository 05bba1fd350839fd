-- A city's history (issue 14 §2), postgres. Keep in step with ../sqlite/0019_pending_clocks.sql.
--
-- Two clocks of the alert worker read the history on every tick: the escalation sweep wants the
-- urgent cases nobody has acknowledged, the reminders the unsettled cases with a deadline and
-- someone to remind. In a city's years both are a few hundred rows, but with whole-table indexes
-- only, at 500,000 cases the sweep walked every urgent alert ever raised (10.9 s cold, holding
-- the writer while phones waited) and the reminders every case (6.6 s). These partial indexes
-- hold only what is still pending, so a tick costs what is pending.
--
-- PostgreSQL proves more than SQLite, but the terms stay word for word as in the SQLite file
-- so that one reading serves both: each is the query's own WHERE in store/alerts.rs or reminders.rs.
CREATE INDEX cases_unacknowledged ON cases(doc_id) WHERE status = 'reported' AND severity = 'urgent';
CREATE INDEX outbox_alerts ON outbox(doc_id, level) WHERE kind IN ('urgent', 'escalation');
CREATE INDEX cases_deadline_open ON cases(deadline)
    WHERE (status NOT IN ('resolved', 'closed') OR conflicts <> 0)
      AND (handler IS NOT NULL OR responsible_leader IS NOT NULL);
