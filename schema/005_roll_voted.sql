-- 005_roll_voted: who voted, as a flag in the frozen roll, set in place.
--
-- poll_voters got one row per voter, inserted when they first voted. Inside a
-- B-tree page SQLite stores each new row below the one before, so the byte
-- offsets of those rows gave the order in which members first voted; the
-- ballot rows give the order in which ballots arrived, and lined up, the two
-- orders linked voters to ballots in any copy of the database made while the
-- poll was open. Every roll row is now written when the poll opens, with
-- voted = 0; a first vote sets voted = 1, which changes one header byte of
-- the row in place (0 and 1 take no bytes in a SQLite record, so the row
-- keeps its size and its place), and no row records when a member voted.

ALTER TABLE poll_roll ADD COLUMN voted INTEGER NOT NULL DEFAULT 0 CHECK (voted IN (0, 1));

-- Rewrites every row with the column stored (rows written before the ALTER
-- lack it, and setting it later would move them), in key order.
UPDATE poll_roll SET voted = EXISTS (SELECT 1 FROM poll_voters v
    WHERE v.poll_id = poll_roll.poll_id AND v.username = poll_roll.username);

DROP TABLE poll_voters;
