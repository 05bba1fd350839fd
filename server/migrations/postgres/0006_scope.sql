-- Read scope (postgres): extra villages of work-team members, the scopes devices were told about,
-- and the indexes that find the cases naming a person. Keep in step with ../sqlite/0006_scope.sql.

-- A work-team member covers their own unit (users.unit_code) and every village listed here.
-- Moving a person to another unit clears their rows: the move replaces the whole assignment.
CREATE TABLE user_units (
    user_id   TEXT NOT NULL REFERENCES users(id),
    unit_code TEXT NOT NULL REFERENCES units(code),
    PRIMARY KEY (user_id, unit_code)
);

-- Every scope ever announced to a device, by fingerprint (PROTOCOL.md §10): when a device sends
-- back an older fingerprint, its description tells which documents it held that it must drop.
-- `description` is JSON {"paths": [...], "docs": [hex, ...]}. Never updated; small.
CREATE TABLE scopes (
    fingerprint TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- A person's scope includes the cases that name them (领导包案, 专人跟踪): looked up on every request.
CREATE INDEX cases_handler ON cases(handler);
CREATE INDEX cases_responsible_leader ON cases(responsible_leader);
