-- Anlan schema, SQLite flavour. Keep in step with ../postgres/0001_init.sql (same tables, same
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
    created_at INTEGER NOT NULL
);

-- Tokens are stored as SHA-256 only: a copy of this table does not let anyone sync.
CREATE TABLE devices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      TEXT NOT NULL REFERENCES users(id),
    token_hash   BLOB NOT NULL UNIQUE,
    actor_prefix BLOB NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);

-- One row per record. `version` is bumped by every commit and checked by the next one, so two
-- requests (or two replicas) that merged into the same old state cannot both win.
CREATE TABLE documents (
    doc_id       BLOB PRIMARY KEY,
    kind         TEXT NOT NULL,
    unit_code    TEXT NOT NULL REFERENCES units(code),
    unit_path    TEXT NOT NULL,
    heads        BLOB NOT NULL,
    version      INTEGER NOT NULL,
    -- A cache of the log: save() as of snapshot_seq. The log below stays the source of truth.
    snapshot     BLOB,
    snapshot_seq INTEGER NOT NULL DEFAULT 0,
    tail_count   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX documents_path ON documents(unit_path);

-- The append-only change log and, through `seq`, the pull feed. Never updated or deleted.
CREATE TABLE changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      BLOB NOT NULL REFERENCES documents(doc_id),
    -- The document's unit path, copied (it never changes) so the feed can seek by
    -- jurisdiction without a join.
    unit_path   TEXT NOT NULL,
    hash        BLOB NOT NULL,
    actor       BLOB NOT NULL,
    bytes       BLOB NOT NULL,
    device_id   INTEGER,            -- NULL: written by the server itself
    received_at INTEGER NOT NULL,
    UNIQUE (doc_id, hash)
);
CREATE INDEX changes_doc ON changes(doc_id, seq);
CREATE INDEX changes_scope ON changes(unit_path, seq);

CREATE TABLE case_counters (
    county_code TEXT NOT NULL,
    year        INTEGER NOT NULL,
    next        INTEGER NOT NULL,
    PRIMARY KEY (county_code, year)
);

-- The SQL projection of case documents, rebuilt exactly by `anlan reproject`.
CREATE TABLE cases (
    doc_id             BLOB PRIMARY KEY REFERENCES documents(doc_id),
    case_no            TEXT,
    village            TEXT NOT NULL,
    unit_path          TEXT NOT NULL,
    category           TEXT NOT NULL,
    severity           TEXT NOT NULL,
    status             TEXT NOT NULL,
    title              TEXT NOT NULL,
    reporter           TEXT NOT NULL,
    reported_at        INTEGER NOT NULL,
    responsible_leader TEXT,
    handler            TEXT,
    deadline           INTEGER,
    conflicts          INTEGER NOT NULL,
    body               TEXT NOT NULL
);
CREATE INDEX cases_path ON cases(unit_path);

-- Work caused by a merge (alerts), written in the merge's own transaction. `cause` is unique so
-- a resent sync or a racing replica can never enqueue the same alert twice.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    doc_id        BLOB NOT NULL,
    cause         TEXT NOT NULL UNIQUE,
    payload       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_until INTEGER,
    done_at       INTEGER
);

-- Pushes that were refused, kept whole for an administrator: nothing a phone sent is dropped.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id   INTEGER NOT NULL,
    doc_id      BLOB NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    changes     BLOB NOT NULL,      -- CBOR array of the pushed change byte strings
    received_at INTEGER NOT NULL
);
