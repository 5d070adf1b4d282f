-- 001_init: accounts, sessions, API tokens, login throttling.
-- Times are unix seconds (INTEGER). Secrets are never stored: sessions and
-- tokens by SHA-256, passwords as argon2id strings (crypto_pwhash_str).

CREATE TABLE members (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE
                          CHECK (length(username) BETWEEN 1 AND 39),
    display_name  TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    email         TEXT    CHECK (email IS NULL OR length(email) BETWEEN 3 AND 254),
    is_admin      INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    password_hash TEXT,                     -- NULL: imported, no password yet
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash     BLOB    PRIMARY KEY CHECK (length(id_hash) = 32),
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    csrf_token  TEXT    NOT NULL CHECK (length(csrf_token) = 64),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_member  ON sessions(member_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    label       TEXT    NOT NULL DEFAULT '' CHECK (length(label) <= 100),
    token_hash  BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER                     -- NULL while the token is valid
);

CREATE INDEX api_tokens_member ON api_tokens(member_id);

-- One row per failed login, keyed by the username as typed (any case);
-- rows older than the throttling window are deleted as new ones arrive.
CREATE TABLE login_failures (
    username    TEXT    NOT NULL COLLATE NOCASE,
    at          INTEGER NOT NULL
);

CREATE INDEX login_failures_username ON login_failures(username, at);
CREATE INDEX login_failures_at       ON login_failures(at);
