-- Delivery receipts (postgres): what an SMS provider reported about a message it accepted —
-- delivered to the phone, or not and why. Keep in step with ../sqlite/0013_delivery_receipts.sql.
-- Times are Unix milliseconds.

-- Every receipt as it arrived, once per provider message id: providers push the same report
-- again when our answer was lost, and a report may arrive before the send that caused it has
-- recorded the provider's id (the provider answered, the report came back, and our write of
-- the answer was still in flight). Keeping it lets that send pick it up when it finishes.
CREATE TABLE delivery_receipts (
    -- aliyun_sms, tencent_sms or http_sms: ids are only unique within one provider.
    channel     TEXT NOT NULL,
    -- Alibaba's BizId, Tencent's SerialNo (sid), the gateway's id.
    message_id  TEXT NOT NULL,
    -- delivered | undelivered
    outcome     TEXT NOT NULL,
    -- The provider's code and description when not delivered (or its note when delivered).
    reason      TEXT,
    -- The provider's own time of the report, as it wrote it (Beijing time, no zone).
    reported_at TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (channel, message_id)
);

-- When the receipt reached the delivery log.
ALTER TABLE deliveries ADD COLUMN receipt_at BIGINT;
-- Receipts are matched to sends by (channel, provider id).
CREATE INDEX deliveries_receipt ON deliveries(channel, receipt) WHERE receipt IS NOT NULL;
