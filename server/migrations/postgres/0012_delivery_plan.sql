-- The delivery plan (postgres): every channel's attempts in the one delivery log, each person's
-- and each unit's alert settings, and the acknowledgement links SMS carry. Keep in step with
-- ../sqlite/0012_delivery_plan.sql. Times are Unix milliseconds.

-- Which channel a delivery goes through (web_push, aliyun_sms, tencent_sms, http_sms,
-- wecom_robot, dingtalk_robot), where to (the phone number, or the unit code of a robot's
-- group; NULL for Web Push, whose address is the subscription), the provider's message id, and
-- how the case was acknowledged (app, sms_link).
ALTER TABLE deliveries ADD COLUMN channel TEXT NOT NULL DEFAULT 'web_push';
ALTER TABLE deliveries ADD COLUMN address TEXT;
ALTER TABLE deliveries ADD COLUMN receipt TEXT;
ALTER TABLE deliveries ADD COLUMN acknowledged_via TEXT;
-- One SMS or robot message per person (or group) per cause, whatever races or restarts.
CREATE UNIQUE INDEX deliveries_once_per_channel ON deliveries(outbox_id, user_id, channel)
    WHERE subscription_id IS NULL;
CREATE INDEX deliveries_sent ON deliveries(channel, sent_at);

-- A person's ('user:<id>') or a unit's default ('unit:<code>') alert settings. NULL: as the
-- unit above says (and, at the top, on / no quiet hours).
CREATE TABLE alert_prefs (
    owner      TEXT PRIMARY KEY,
    sms        BIGINT,
    quiet_from BIGINT,
    quiet_to   BIGINT,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

-- `/a/<code>` links in SMS: only the SHA-256 of the code is kept, so a copy of this table
-- acknowledges nothing. Single use (used_at), bound to one person, case and alert.
CREATE TABLE ack_links (
    code_hash   BYTEA PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES deliveries(id),
    user_id     TEXT NOT NULL,
    doc_id      BYTEA NOT NULL,
    text        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
