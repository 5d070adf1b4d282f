-- 006_accounts: accounts that an attacker cannot lock and an admin cannot
-- change without a trace.
--
-- Failed logins are no longer stored: they are counted in memory per
-- (username, client address), so that nobody can lock an account by failing
-- on purpose (usernames are public on every board).

DROP TABLE login_failures;

-- Passwords an admin makes (the first admin's, a new member's, a reset) are
-- handed over by someone else: they serve once, to log in and choose one's
-- own, and expire if unused. password_expires_at is NULL for a member's own.
ALTER TABLE members ADD COLUMN password_one_time INTEGER NOT NULL DEFAULT 0
    CHECK (password_one_time IN (0, 1));
ALTER TABLE members ADD COLUMN password_expires_at INTEGER;

-- Set-password links, for members without a password (imported) until email
-- invitations exist: single use (the row is deleted when used), expiring, and
-- kept only as SHA-256 of the link's secret. A new link replaces the older.
CREATE TABLE password_links (
    token_hash  BLOB    PRIMARY KEY CHECK (length(token_hash) = 32),
    member_id   INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX password_links_member ON password_links(member_id);

-- What admins did (added, deactivated, reactivated members, reset passwords,
-- made set-password links, imported, made or revoked tokens for others), by
-- whom: a member's username, "cli:USER" for the admin commands, or "server".
-- Append-only: the triggers refuse any UPDATE or DELETE. Nothing about votes
-- is ever written here.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL CHECK (length(actor) BETWEEN 1 AND 80),
    action   TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 40),
    subject  TEXT    NOT NULL DEFAULT '' CHECK (length(subject) <= 100),
    detail   TEXT    NOT NULL DEFAULT '' CHECK (length(detail) <= 1000)
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Members of an open poll's frozen roll who were deactivated before it
-- closed (they could no longer vote): the poll's page says how many, to
-- everyone. Written by the deactivation, never by a vote; it says nothing of
-- who voted.
CREATE TABLE poll_roll_deactivated (
    poll_id   TEXT NOT NULL REFERENCES polls(id),
    username  TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (poll_id, username)
) WITHOUT ROWID;
