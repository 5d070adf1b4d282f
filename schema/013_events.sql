-- 013_events: a poll's events (opened, closed, withdrawn), written by
-- triggers in the transaction of the change itself, and the webhook
-- deliveries made from them.
--
-- polls has no state column: a state is read from closed, decrypting,
-- withdrawn_at and result (poll_view.c). The triggers key on the changes
-- that mean an event, whichever code path makes them:
--   poll.opened     a poll inserted open with its record (fingerprint set),
--                   or one whose fingerprint is set later while it is open
--                   (schema 012: a nominee's acceptance opens a poll that
--                   awaited consent, without record nor fingerprint until
--                   then; such a poll is not open and emits nothing);
--   poll.closed     its result is set: at the close, or for a poll sealed by
--                   a council when the trustees' decryption publishes it (the
--                   close into `decrypting` emits nothing: no result yet);
--   poll.withdrawn  withdrawn_at is set on a poll that had opened.
-- Polls that exist before this migration emit nothing for what happened to
-- them before it (no row is written here); their later changes do.
--
-- An event's mails (notice.c) and its webhook delivery (event.c) are made
-- from its row, once each: mailed_at and hooked_at are set in the
-- transaction that queues them (or that finds none due). A later migration
-- that rebuilds polls (INSERT INTO ... SELECT) must drop these triggers
-- before the copy and create them again after it.

CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    uid         TEXT    NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    type        TEXT    NOT NULL
                CHECK (type IN ('poll.opened', 'poll.closed', 'poll.withdrawn')),
    poll_id     TEXT    NOT NULL REFERENCES polls(id),
    created_at  INTEGER NOT NULL DEFAULT (unixepoch()),
    mailed_at   INTEGER,            -- its mails queued, or none were due
    hooked_at   INTEGER             -- its webhook delivery made, or none was due
);

CREATE INDEX events_unmailed ON events(id) WHERE mailed_at IS NULL;
CREATE INDEX events_unhooked ON events(id) WHERE hooked_at IS NULL;
CREATE INDEX events_poll ON events(poll_id);

CREATE TRIGGER polls_event_opened AFTER INSERT ON polls
    WHEN NEW.closed = 0 AND NEW.fingerprint IS NOT NULL
BEGIN
    INSERT INTO events (type, poll_id) VALUES ('poll.opened', NEW.id);
END;

CREATE TRIGGER polls_event_opened_later AFTER UPDATE OF fingerprint ON polls
    WHEN OLD.fingerprint IS NULL AND NEW.fingerprint IS NOT NULL AND NEW.closed = 0
BEGIN
    INSERT INTO events (type, poll_id) VALUES ('poll.opened', NEW.id);
END;

CREATE TRIGGER polls_event_closed AFTER UPDATE OF result ON polls
    WHEN OLD.result IS NULL AND NEW.result IS NOT NULL
BEGIN
    INSERT INTO events (type, poll_id) VALUES ('poll.closed', NEW.id);
END;

CREATE TRIGGER polls_event_withdrawn AFTER UPDATE OF withdrawn_at ON polls
    WHEN OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
         AND OLD.fingerprint IS NOT NULL
BEGIN
    INSERT INTO events (type, poll_id) VALUES ('poll.withdrawn', NEW.id);
END;

-- One POST of an event to --webhook-url, as the outbox holds a mail: body
-- is the exact JSON sent at every attempt (signed at each with the secret
-- of the running server), uid goes in X-Conclave-Delivery. Delivered on a
-- 2xx; otherwise retried with a growing pause until 24 hours after
-- created_at, then given up (failed_at), until an admin asks again.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    uid          TEXT    NOT NULL UNIQUE CHECK (length(uid) = 32),
    event_id     INTEGER NOT NULL UNIQUE REFERENCES events(id),
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '' CHECK (length(last_error) <= 300),
    delivered_at INTEGER,
    failed_at    INTEGER,
    CHECK (delivered_at IS NULL OR failed_at IS NULL)
);

CREATE INDEX webhook_due ON webhook_deliveries(next_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- One row while a server started with --webhook-url has this data
-- directory (none otherwise): a start with it after one without counts the
-- events so far as old news (hooked, nothing sent). The URL is not kept.
CREATE TABLE webhook_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    since       INTEGER NOT NULL
);
