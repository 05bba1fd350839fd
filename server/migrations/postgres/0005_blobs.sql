-- Photos and scans attached to cases: content-addressed by SHA-256 and stored in the database, so
-- several PostgreSQL replicas serve the same blobs with no shared disk.

-- Which case documents reference which blobs, from each case's current `attachments`. Written in
-- the same transaction as the `cases` projection (and rebuilt with it by `anlan reproject`): a
-- blob may be uploaded and read only by someone who can see a case that references it.
CREATE TABLE doc_blobs (
    doc_id BYTEA NOT NULL REFERENCES documents(doc_id),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (doc_id, sha256)
);
CREATE INDEX doc_blobs_sha256 ON doc_blobs(sha256);

-- One row per blob, from its first chunk. `received` is how many bytes are stored (the offset the
-- next chunk must start at); `complete` becomes 1 only once the SHA-256 of the whole matched.
CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    mime         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    received     BIGINT NOT NULL,
    complete     BIGINT NOT NULL,
    device_id    BIGINT REFERENCES devices(id),
    created_at   BIGINT NOT NULL,
    completed_at BIGINT
);

-- The bytes, as uploaded: one row per chunk, read back in `pos` order. Chunks are never merged,
-- so a resumed upload only ever appends.
CREATE TABLE blob_chunks (
    sha256 TEXT NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
    pos    BIGINT NOT NULL,
    bytes  BYTEA NOT NULL,
    PRIMARY KEY (sha256, pos)
);
