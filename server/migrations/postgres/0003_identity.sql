-- Identity (PostgreSQL): passwords, one-time enrolment codes, login lockouts and retiring devices.
-- Keep in step with ../sqlite/0003_identity.sql. Times are Unix milliseconds.

-- An Argon2id PHC string; NULL until the person has enrolled with a code and set a password.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- Set when the user retires a device: its next successful sync (its last upload) revokes it.
ALTER TABLE devices ADD COLUMN retire_at BIGINT;

-- One live code per user (issuing a new one replaces the old), stored as Argon2id only: the
-- code is short enough to type, so a plain hash of it would be guessed from a copy of the table.
CREATE TABLE enrolment_codes (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Login and enrolment attempts per key, counted before they are checked (so concurrent guesses
-- cannot outrun a lock) and taken back when they succeed. The key is 'phone:' || hex(sha256(phone))
-- (the number itself is not kept: unknown numbers land here too) or 'addr:' || client address.
-- In the database rather than in memory so that every replica sees the same lockout.
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    first_at     BIGINT NOT NULL,
    locked_until BIGINT
);
