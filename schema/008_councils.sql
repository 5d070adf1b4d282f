-- 008_councils: councils of trustees and their key ceremonies
-- (PROTOCOL-threshold T2-T5). The server is the ceremony's bulletin board:
-- it keeps each trustee's signed messages as received (a registration, a
-- dealing, a verdict: public JSON text, never a secret) and replays them
-- through the ceremony's checks; once the ceremony is over it keeps the whole
-- transcript and its ceremony digest.
--
-- councils.state: registering (round 0: trustees register identity keys),
-- dealing (round 1), verdicts (round 2), complete (QUAL >= t: polls may be
-- sealed for it), failed (failure says why). round_closes_at is the current
-- round's deadline (unix seconds; NULL once complete or failed);
-- round_seconds the length given to each round. transcript and digest are
-- set exactly when the state is complete or failed after round 2 (failed
-- earlier: both NULL).
CREATE TABLE councils (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    t               INTEGER NOT NULL CHECK (t >= 1),
    n               INTEGER NOT NULL CHECK (n >= t AND n <= 64),
    state           TEXT NOT NULL
                    CHECK (state IN ('registering', 'dealing', 'verdicts', 'complete', 'failed')),
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    round_seconds   INTEGER NOT NULL CHECK (round_seconds > 0),
    round_closes_at INTEGER,
    transcript      TEXT,
    digest          TEXT,
    failure         TEXT,
    CHECK (state != 'complete' OR (transcript IS NOT NULL AND digest IS NOT NULL))
) WITHOUT ROWID;

-- Trustee idx (1..n) of a council: the member's username (also the name in
-- the setup) and the messages it posted, each at most once.
CREATE TABLE council_trustees (
    council_id      TEXT NOT NULL REFERENCES councils (id),
    idx             INTEGER NOT NULL CHECK (idx >= 1 AND idx <= 64),
    username        TEXT NOT NULL,
    registration    TEXT,
    registered_at   INTEGER,
    dealing         TEXT,
    dealt_at        INTEGER,
    verdict         TEXT,
    verdict_at      INTEGER,
    PRIMARY KEY (council_id, idx),
    UNIQUE (council_id, username)
) WITHOUT ROWID;

-- The council new polls are sealed for (`conclave council use`): one row at
-- most, and only a complete council (store_council_use checks it).
CREATE TABLE council_current (
    one             INTEGER PRIMARY KEY CHECK (one = 1),
    council_id      TEXT NOT NULL REFERENCES councils (id)
);
