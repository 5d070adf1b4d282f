-- 012_consent: the nominee's consent (issue 18).
--
-- Every poll opened from now on records how its nominee agreed:
--   consent = 'attested'  the nominator ticked "the nominee has agreed"
--                         (--nominee-consent attest): consent_by is that
--                         nominator, consent_at the opening;
--   consent = 'awaiting'  (--nominee-consent mail) the nominee was mailed a
--                         link at nominee_email and has not answered yet: the
--                         poll is not open (no record, no fingerprint, no
--                         key, no roll); closes_at is when the link expires;
--                         consent_hash is the SHA-256 of the link's secret
--                         (the secret itself is never stored). A poll still
--                         'awaiting' once closed (closed = 1) was withdrawn:
--                         by its nominator, or declined, or expired
--                         (withdrawn_reason says which);
--   consent = 'accepted'  the nominee accepted at consent_at: the poll was
--                         opened then (roll, record, key, one week from it).
-- Polls from before this version have consent NULL.
--
-- record and fingerprint may now be NULL (a poll awaiting consent has
-- neither yet), so the table is rebuilt: SQLite cannot drop a NOT NULL.
-- A poll's record is set once, as before: at its opening (at the insert, or
-- at the nominee's acceptance). No trigger exists on polls at this point.
--
-- The tables that reference polls(id) (the roll, ballots, ...) keep naming
-- "polls", and no table is renamed (SQLite would rewrite their REFERENCES
-- to the new name): the rows are copied aside, polls dropped and created
-- again, and the rows put back. The foreign keys are deferred to the
-- migration's commit: the drop counts each child row as a violation, and
-- putting its poll back takes it back. (test_polls.py test_voters_migrated
-- migrates a database with a roll and ballots.)

PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE polls_011 AS SELECT * FROM polls;
DROP TABLE polls;               -- and its indexes, made again below

CREATE TABLE polls (
    id            TEXT    PRIMARY KEY,
    nominee       TEXT    NOT NULL,
    statement     TEXT    NOT NULL,
    statement_html TEXT   NOT NULL,
    nominated_by  TEXT    NOT NULL,
    record        TEXT,
    fingerprint   TEXT    CHECK (fingerprint IS NULL OR length(fingerprint) = 64),
    opens_at      INTEGER NOT NULL,
    closes_at     INTEGER NOT NULL,
    eligible      INTEGER NOT NULL,
    closed        INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
    secret_key    BLOB    CHECK (secret_key IS NULL OR length(secret_key) = 32),
    result        TEXT,
    board         TEXT,
    board_ballots_at INTEGER,
    withdrawn_by  TEXT,
    withdrawn_at  INTEGER
        CHECK (withdrawn_at IS NULL OR (closed = 1 AND result IS NULL AND secret_key IS NULL)),
    council_id    TEXT,
    council_seal  TEXT    CHECK ((council_id IS NULL) = (council_seal IS NULL)),
    decrypting    INTEGER NOT NULL DEFAULT 0
        CHECK (decrypting IN (0, 1) AND (decrypting = 0 OR (closed = 1 AND result IS NULL
                                                           AND council_id IS NOT NULL))),
    announced_at  INTEGER,
    reminded_at   INTEGER,
    result_mailed_at INTEGER,
    consent       TEXT    CHECK (consent IN ('attested', 'awaiting', 'accepted')
                                 AND (record IS NOT NULL OR consent = 'awaiting')),
    consent_by    TEXT,
    consent_at    INTEGER,
    nominee_email TEXT    CHECK (nominee_email IS NULL OR length(nominee_email) BETWEEN 3 AND 254),
    consent_hash  BLOB    CHECK (consent_hash IS NULL OR (length(consent_hash) = 32
                                                          AND consent = 'awaiting' AND closed = 0)),
    withdrawn_reason TEXT,
    CHECK ((record IS NULL) = (fingerprint IS NULL))
);

INSERT INTO polls (id, nominee, statement, statement_html, nominated_by, record,
    fingerprint, opens_at, closes_at, eligible, closed, secret_key, result, board,
    board_ballots_at, withdrawn_by, withdrawn_at, council_id, council_seal, decrypting,
    announced_at, reminded_at, result_mailed_at)
SELECT id, nominee, statement, statement_html, nominated_by, record, fingerprint,
    opens_at, closes_at, eligible, closed, secret_key, result, board, board_ballots_at,
    withdrawn_by, withdrawn_at, council_id, council_seal, decrypting, announced_at,
    reminded_at, result_mailed_at
FROM temp.polls_011;

DROP TABLE polls_011;

CREATE INDEX polls_due ON polls(closed, closes_at);
-- At most one open (or awaiting) poll per nominee (any case).
CREATE UNIQUE INDEX polls_nominee_open ON polls(nominee COLLATE NOCASE) WHERE closed = 0;
CREATE INDEX polls_state ON polls(id, closed, closes_at);
-- The consent link's lookup by the hash of its secret.
CREATE UNIQUE INDEX polls_consent_hash ON polls(consent_hash) WHERE consent_hash IS NOT NULL;
