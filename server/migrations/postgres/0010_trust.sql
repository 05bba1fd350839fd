-- What the server issued and what waits for an administrator (postgres). Keep in step with
-- ../sqlite/0009_trust.sql. Times are Unix milliseconds.

-- Every scope fingerprint told to each device (PROTOCOL.md §10). A fingerprint a device sends
-- back counts only if it is listed here for that device: one computed offline, or learnt by
-- another device, tells the server nothing.
CREATE TABLE device_scopes (
    device_id   BIGINT NOT NULL REFERENCES devices(id),
    fingerprint TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    PRIMARY KEY (device_id, fingerprint)
);

-- A person who left: every device revoked, never named on a case again.
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;

-- A quarantined push an administrator released: judged again under the rules and scope of the
-- day, and stored. Open items have released_at NULL.
ALTER TABLE quarantine ADD COLUMN released_at BIGINT;
ALTER TABLE quarantine ADD COLUMN released_by TEXT;
CREATE INDEX quarantine_open ON quarantine(released_at, id);
