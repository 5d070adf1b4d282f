-- 003_board_frame: a closed poll's board kept as a frame plus its ballot rows.
--
-- board_ballots_at is the offset in `board` where the counted ballots (the
-- rows of `ballots`, in tracker order, in the board's layout) go; NULL means
-- `board` holds the whole board, as every board closed before this version.
-- So a close never writes, and a request never reads, a whole board at once.

ALTER TABLE polls ADD COLUMN board_ballots_at INTEGER;
