-- 002_polls: nomination polls, their frozen rolls, who voted, the ballots.
--
-- Anonymity at rest: who voted (poll_voters) and the ballots (ballots) share
-- nothing but the poll id. Both are WITHOUT ROWID tables keyed by a voter's
-- name and by a ballot's tracker (a hash), so neither row order nor a rowid
-- says which ballot came with which voter; no timestamps, no autoincrement.
-- The used set keeps every tag and alpha ever accepted, replaced ones too.

CREATE TABLE polls (
    id            TEXT    PRIMARY KEY,
    nominee       TEXT    NOT NULL,
    statement     TEXT    NOT NULL,          -- Markdown as written
    statement_html TEXT   NOT NULL,          -- rendered by cmark, safe mode
    nominated_by  TEXT    NOT NULL,          -- username
    record        TEXT    NOT NULL,          -- the poll record, board form, as hashed
    fingerprint   TEXT    NOT NULL CHECK (length(fingerprint) = 64),
    opens_at      INTEGER NOT NULL,
    closes_at     INTEGER NOT NULL,
    eligible      INTEGER NOT NULL,
    closed        INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    secret_key    BLOB    CHECK (secret_key IS NULL OR length(secret_key) = 32),
    result        TEXT,                      -- JSON, set at the close
    board         TEXT                       -- the board's exact bytes, set at the close
);

CREATE INDEX polls_due ON polls(closed, closes_at);
-- At most one open poll per nominee (any case).
CREATE UNIQUE INDEX polls_nominee_open ON polls(nominee COLLATE NOCASE) WHERE closed = 0;

CREATE TABLE poll_roll (
    poll_id   TEXT NOT NULL REFERENCES polls(id),
    username  TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (poll_id, username)
) WITHOUT ROWID;

CREATE TABLE poll_voters (
    poll_id   TEXT NOT NULL REFERENCES polls(id),
    username  TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (poll_id, username)
) WITHOUT ROWID;

CREATE TABLE ballots (
    poll_id   TEXT NOT NULL REFERENCES polls(id),
    tracker   BLOB NOT NULL CHECK (length(tracker) = 32),
    tag       BLOB NOT NULL CHECK (length(tag) = 32),
    ballot    TEXT NOT NULL,                 -- board form JSON
    PRIMARY KEY (poll_id, tracker)
) WITHOUT ROWID;

CREATE UNIQUE INDEX ballots_tag ON ballots(poll_id, tag);

CREATE TABLE ballot_used (
    poll_id   TEXT    NOT NULL REFERENCES polls(id),
    kind      INTEGER NOT NULL CHECK (kind IN (0, 1)),   -- 0 tag, 1 alpha
    value     BLOB    NOT NULL CHECK (length(value) = 32),
    PRIMARY KEY (poll_id, kind, value)
) WITHOUT ROWID;
