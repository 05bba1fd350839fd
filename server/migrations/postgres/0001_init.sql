-- Anlan schema, PostgreSQL flavour. Keep in step with ../sqlite/0001_init.sql (same tables, same
-- meaning); only types and identity columns differ. Times are Unix milliseconds.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The org tree. `path` is the materialised ancestry ('/350400/350481/350481101/'), so "is this
-- record in my jurisdiction" is a prefix test that needs no recursive query.
CREATE TABLE units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    parent_code TEXT REFERENCES units(code),
    path        TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT UNIQUE,
    role       TEXT NOT NULL,
    unit_code  TEXT NOT NULL REFERENCES units(code),
    created_at BIGINT NOT NULL
);

-- Tokens are stored as SHA-256 only: a copy of this table does not let anyone sync.
CREATE TABLE devices (
    id           BIGSERIAL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    token_hash   BYTEA NOT NULL UNIQUE,
    actor_prefix BYTEA NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);

-- One row per record. `version` is bumped by every commit and checked by the next one, so two
-- requests (or two replicas) that merged into the same old state cannot both win.
CREATE TABLE documents (
    doc_id       BYTEA PRIMARY KEY,
    kind         TEXT NOT NULL,
    unit_code    TEXT NOT NULL REFERENCES units(code),
    unit_path    TEXT NOT NULL,
    heads        BYTEA NOT NULL,
    version      BIGINT NOT NULL,
    -- A cache of the log: save() as of snapshot_seq. The log below stays the source of truth.
    snapshot     BYTEA,
    snapshot_seq BIGINT NOT NULL DEFAULT 0,
    tail_count   BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX documents_path ON documents(unit_path);

-- The append-only change log and, through `seq`, the pull feed. Never updated or deleted.
CREATE TABLE changes (
    seq         BIGSERIAL PRIMARY KEY,
    doc_id      BYTEA NOT NULL REFERENCES documents(doc_id),
    -- The document's unit path, copied (it never changes) so the feed can seek by
    -- jurisdiction without a join.
    unit_path   TEXT NOT NULL,
    hash        BYTEA NOT NULL,
    actor       BYTEA NOT NULL,
    bytes       BYTEA NOT NULL,
    device_id   BIGINT,            -- NULL: written by the server itself
    received_at BIGINT NOT NULL,
    UNIQUE (doc_id, hash)
);
CREATE INDEX changes_doc ON changes(doc_id, seq);
CREATE INDEX changes_scope ON changes(unit_path, seq);

CREATE TABLE case_counters (
    county_code TEXT NOT NULL,
    year        BIGINT NOT NULL,
    next        BIGINT NOT NULL,
    PRIMARY KEY (county_code, year)
);

-- The SQL projection of case documents, rebuilt exactly by `anlan reproject`.
CREATE TABLE cases (
    doc_id             BYTEA PRIMARY KEY REFERENCES documents(doc_id),
    case_no            TEXT,
    village            TEXT NOT NULL,
    unit_path          TEXT NOT NULL,
    category           TEXT NOT NULL,
    severity           TEXT NOT NULL,
    status             TEXT NOT NULL,
    title              TEXT NOT NULL,
    reporter           TEXT NOT NULL,
    reported_at        BIGINT NOT NULL,
    responsible_leader TEXT,
    handler            TEXT,
    deadline           BIGINT,
    conflicts          BIGINT NOT NULL,
    body               TEXT NOT NULL
);
CREATE INDEX cases_path ON cases(unit_path);

-- Work caused by a merge (alerts), written in the merge's own transaction. `cause` is unique so
-- a resent sync or a racing replica can never enqueue the same alert twice.
CREATE TABLE outbox (
    id            BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL,
    doc_id        BYTEA NOT NULL,
    cause         TEXT NOT NULL UNIQUE,
    payload       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT,
    done_at       BIGINT
);

-- Pushes that were refused, kept whole for an administrator: nothing a phone sent is dropped.
CREATE TABLE quarantine (
    id          BIGSERIAL PRIMARY KEY,
    device_id   BIGINT NOT NULL,
    doc_id      BYTEA NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    changes     BYTEA NOT NULL,      -- CBOR array of the pushed change byte strings
    received_at BIGINT NOT NULL
);
