-- The daily digest of non-urgent news: one row per person per day (Beijing calendar day, as a day
-- number), written before it is sent, so a restart or a second replica cannot send it twice.
CREATE TABLE digests (
    user_id TEXT NOT NULL,
    day     BIGINT NOT NULL,
    cases   BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
