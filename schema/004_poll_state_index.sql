-- 004_poll_state_index: every cast checks its poll's state (closed, closes_at)
-- inside the commit. Read from the polls row, those columns sit after the
-- record, whose roll (1.2 MB at 100,000 voters) fills a chain of overflow
-- pages that SQLite walks to reach them: a covering index answers instead.

CREATE INDEX polls_state ON polls(id, closed, closes_at);
