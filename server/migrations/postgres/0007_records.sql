-- The projection of documents of kinds other than the case (petition items, downward visits,
-- sweep reports), rebuilt from the log by `anlan reproject` like `cases`. Each kind fills the
-- generic columns its queries need; `body` is the whole record as JSON.
CREATE TABLE records (
    doc_id     BYTEA PRIMARY KEY REFERENCES documents(doc_id),
    kind       TEXT NOT NULL,
    unit_code  TEXT NOT NULL,
    unit_path  TEXT NOT NULL,
    ref_key    TEXT,
    status     TEXT,
    due_at     BIGINT,
    at         BIGINT,
    person     TEXT,
    body       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX records_kind_path ON records(kind, unit_path);
CREATE INDEX records_kind_ref ON records(kind, ref_key);
CREATE INDEX records_kind_due ON records(kind, due_at);
