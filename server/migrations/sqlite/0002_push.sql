-- Web Push: subscriptions per device, and one delivery row per (alert, subscription), which is
-- also the delivery log leaders see on the case. Keep in step with ../postgres/0002_push.sql.

-- Which rung of the escalation ladder an alert is for: township → county → city.
ALTER TABLE outbox ADD COLUMN level TEXT NOT NULL DEFAULT 'township';

CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id  INTEGER NOT NULL REFERENCES devices(id),
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    doc_id          BLOB NOT NULL,
    user_id         TEXT NOT NULL,
    -- NULL when the recipient had no subscription: the log still shows they were not reached.
    subscription_id INTEGER,
    state           TEXT NOT NULL,      -- queued | sent | failed | gone | unreachable
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    UNIQUE (outbox_id, user_id, subscription_id)
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX deliveries_doc ON deliveries(doc_id);
