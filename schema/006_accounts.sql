-- 006_accounts: accounts that an attacker cannot lock and an admin cannot
-- change without a trace.
--
-- Failed logins are no longer stored: they are counted in memory per
-- (username, client address), so that nobody can lock an account by failing
-- on purpose (usernames are public on every board).

DROP TABLE login_failures;
