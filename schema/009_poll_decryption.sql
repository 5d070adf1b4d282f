-- 009_poll_decryption: polls sealed by a council of trustees
-- (PROTOCOL-threshold T6-T7), their state `decrypting`, and the decryption
-- entries of the server and the trustees.
--
-- council_id names the council (schema 008) whose key seals the poll with
-- the server's own share x_0 (secret_key); NULL: sealed by the server only,
-- as before. A sealed poll with ballots closes at its deadline into
-- `decrypting` (closed = 1, decrypting = 1, result NULL): it takes no more
-- ballots, its board is the partial board (board, board_ballots_at), and
-- secret_key keeps x_0 until the result is published; then decrypting = 0,
-- result set and secret_key NULL, in one transaction.
--
-- poll_decryptions holds the entries {"holder", "shares"} as published on
-- the board: holder 0 the server (username NULL), then each trustee j of
-- the council that posted its shares (username the member who posted them).
-- A decryption share reveals nothing of a count without t others and x_0's.

ALTER TABLE polls ADD COLUMN council_id TEXT;     -- councils(id) (schema 008)
-- Who seals it, for the pages: {"t", "trustees": [{"index", "name"}]} as the
-- record's "threshold" lists QUAL (NULL with council_id).
ALTER TABLE polls ADD COLUMN council_seal TEXT
    CHECK ((council_id IS NULL) = (council_seal IS NULL));
ALTER TABLE polls ADD COLUMN decrypting INTEGER NOT NULL DEFAULT 0
    CHECK (decrypting IN (0, 1) AND (decrypting = 0 OR (closed = 1 AND result IS NULL
                                                       AND council_id IS NOT NULL)));

CREATE TABLE poll_decryptions (
    poll_id   TEXT    NOT NULL REFERENCES polls(id),
    holder    INTEGER NOT NULL CHECK (holder BETWEEN 0 AND 64),
    username  TEXT    CHECK ((holder = 0) = (username IS NULL)),
    entry     TEXT    NOT NULL,              -- {"holder", "shares"}, compact JSON
    PRIMARY KEY (poll_id, holder)
) WITHOUT ROWID;
