-- 007_poll_withdrawn: a poll opened by mistake can be withdrawn, by the
-- member who opened it or an admin, while it is open and before any ballot.
--
-- A withdrawn poll is no longer open (closed = 1), so the closer never picks
-- it (polls_due), its nominee is free for a new poll and it does not count
-- against its nominator's open polls; it has no result and no board, and its
-- secret key is erased as at a close. withdrawn_by (a username) and
-- withdrawn_at (unix seconds) say who withdrew it and when; both are NULL for
-- every poll that was not withdrawn.

ALTER TABLE polls ADD COLUMN withdrawn_by TEXT;
ALTER TABLE polls ADD COLUMN withdrawn_at INTEGER
    CHECK (withdrawn_at IS NULL OR (closed = 1 AND result IS NULL AND secret_key IS NULL));
