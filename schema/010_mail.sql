-- 010_mail: outgoing mail (invitations, password resets, poll notices).
--
-- The outbox is durable: a mail is written here in the same transaction as
-- the event that causes it (a member added, a poll opened), and one mailer
-- thread sends it over SMTP. message is the whole RFC 5322 text, headers and
-- body, composed once (so a retry sends the same Message-ID); it may hold a
-- set-password link's secret, so it is emptied ('') in the UPDATE that marks
-- the mail sent (right after the server's 250) or given up (24 hours of
-- failures). A mail never holds a ballot, a tracker, a rho or a choice.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (length(kind) BETWEEN 1 AND 24),
    recipient   TEXT    NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    subject     TEXT    NOT NULL DEFAULT '' CHECK (length(subject) <= 300),
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,           -- the next attempt, unix seconds
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '' CHECK (length(last_error) <= 300),
    sent_at     INTEGER,                    -- the server answered 250
    failed_at   INTEGER,                    -- given up after 24 hours of failures
    CHECK (sent_at IS NULL OR failed_at IS NULL)
);

CREATE INDEX outbox_due ON outbox(next_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- The running server's mail settings (one row while a server with
-- --smtp-url has this data directory; none otherwise), so that the admin
-- commands beside it invite by mail as the pages do: they queue in the
-- outbox, which that server's mailer sends.
CREATE TABLE mail_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    mail_from   TEXT    NOT NULL CHECK (length(mail_from) BETWEEN 3 AND 255),
    public_url  TEXT    NOT NULL CHECK (length(public_url) BETWEEN 8 AND 511),
    updated_at  INTEGER NOT NULL
);

-- The "next steps" after a nomination passes (repository rights, mailing
-- lists, an address, a welcome post), as an admin wrote them on /admin/mail:
-- mailed with the result to the nominator and the admins. One row at most.
CREATE TABLE next_steps (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    body        TEXT    NOT NULL CHECK (length(body) <= 8000),
    updated_by  TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- A member may turn the poll notices off (opened, reminder, result);
-- invitations and password resets are always sent.
ALTER TABLE members ADD COLUMN notices INTEGER NOT NULL DEFAULT 1 CHECK (notices IN (0, 1));

-- A poll's notices are queued once each, in the transaction that sets these
-- (notice.c): announced_at (poll opened), reminded_at (the reminder before
-- its close), result_mailed_at (its result). NULL: not yet. Polls that
-- exist before this migration count as done, so turning mail on never sends
-- old news.
ALTER TABLE polls ADD COLUMN announced_at INTEGER;
ALTER TABLE polls ADD COLUMN reminded_at INTEGER;
ALTER TABLE polls ADD COLUMN result_mailed_at INTEGER;
UPDATE polls SET announced_at = 0, reminded_at = 0, result_mailed_at = 0;
