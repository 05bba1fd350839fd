-- Web Push: subscriptions per device, and one delivery row per (alert, subscription), which is
-- also the delivery log leaders see on the case. Keep in step with ../sqlite/0002_push.sql.

-- Which rung of the escalation ladder an alert is for: township → county → city.
ALTER TABLE outbox ADD COLUMN level TEXT NOT NULL DEFAULT 'township';

CREATE TABLE push_subscriptions (
    id         BIGSERIAL PRIMARY KEY,
    device_id  BIGINT NOT NULL REFERENCES devices(id),
    endpoint   TEXT NOT NULL UNIQUE,
    p256dh     TEXT NOT NULL,
    auth       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE deliveries (
    id              BIGSERIAL PRIMARY KEY,
    outbox_id       BIGINT NOT NULL REFERENCES outbox(id),
    doc_id          BYTEA NOT NULL,
    user_id         TEXT NOT NULL,
    -- NULL when the recipient had no subscription: the log still shows they were not reached.
    subscription_id BIGINT,
    state           TEXT NOT NULL,      -- queued | sent | failed | gone | unreachable
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    UNIQUE (outbox_id, user_id, subscription_id)
);
CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
CREATE INDEX deliveries_doc ON deliveries(doc_id);
