-- What a request without authority must not hold (postgres). Keep in step with
-- ../sqlite/0011_exposure.sql. Times are Unix milliseconds.

-- Live notices from processes that have no hub of their own (the `anlan admin` command line)
-- to the running server. PostgreSQL carries them by NOTIFY; SQLite has no channel between
-- processes, so the server polls this table and forgets rows after a minute.
CREATE TABLE live_notices (
    id         BIGSERIAL PRIMARY KEY,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Partial uploads, one per blob *and device*: one device's bad or abandoned upload never blocks
-- another's. `touched_at` is the last chunk's time; an upload untouched for a day is dropped.
-- A finished upload whose bytes hash to its name (and whose type matches its bytes) becomes a
-- row of `blobs`, which from now on holds complete blobs only.
CREATE TABLE blob_uploads (
    sha256     TEXT NOT NULL,
    device_id  BIGINT NOT NULL REFERENCES devices(id),
    mime       TEXT NOT NULL,
    size       BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    touched_at BIGINT NOT NULL,
    PRIMARY KEY (sha256, device_id)
);
CREATE INDEX blob_uploads_device ON blob_uploads(device_id);
CREATE INDEX blob_uploads_touched ON blob_uploads(touched_at);

CREATE TABLE upload_chunks (
    sha256    TEXT NOT NULL,
    device_id BIGINT NOT NULL,
    pos       BIGINT NOT NULL,
    bytes     BYTEA NOT NULL,
    PRIMARY KEY (sha256, device_id, pos)
);

-- Uploads under way move over to their device; those of no known device start again.
INSERT INTO blob_uploads (sha256, device_id, mime, size, received, touched_at)
    SELECT sha256, device_id, mime, size, received, created_at FROM blobs
    WHERE complete = 0 AND device_id IS NOT NULL;
INSERT INTO upload_chunks (sha256, device_id, pos, bytes)
    SELECT c.sha256, b.device_id, c.pos, c.bytes FROM blob_chunks c JOIN blobs b ON b.sha256 = c.sha256
    WHERE b.complete = 0 AND b.device_id IS NOT NULL;
DELETE FROM blob_chunks WHERE sha256 IN (SELECT sha256 FROM blobs WHERE complete = 0);
DELETE FROM blobs WHERE complete = 0;
