-- 011_oidc: login through the team's OpenID Connect provider (issue 19).
--
-- A member is linked to the provider's (issuer, subject): once linked, a
-- login through the provider finds the member by that pair alone, never by
-- an email address again (an address can change hands at the provider; a
-- subject cannot). One subject per member per issuer.
CREATE TABLE oidc_links (
    issuer      TEXT    NOT NULL CHECK (length(issuer) BETWEEN 1 AND 512),
    subject     TEXT    NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
) WITHOUT ROWID;

CREATE UNIQUE INDEX oidc_links_member ON oidc_links(member_id, issuer);

-- The logins under way: the SHA-256 of each one's state (the state itself is
-- in the browser's cookie and the provider's redirect), the page the member
-- wanted and when it expires (10 minutes). The callback deletes the row it
-- uses, so a state works once: a replayed callback finds nothing.
CREATE TABLE oidc_states (
    state_hash  BLOB    PRIMARY KEY CHECK (length(state_hash) = 32),
    next        TEXT    NOT NULL CHECK (length(next) BETWEEN 1 AND 128),
    expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
