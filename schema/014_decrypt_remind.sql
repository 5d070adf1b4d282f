-- 014_decrypt_remind: a poll sealed by a council that waits too long for its
-- trustees (PROTOCOL-threshold T7: nobody else can decrypt it).
--
-- decrypt_reminded_at: when the admins were told that the poll has waited
-- --decrypt-remind-hours since its deadline (by mail if mail is on; the log
-- and /admin/decryptions say so in any case). Set once, in the transaction
-- that queues the mails, so that a restart tells nobody twice. NULL until then.
ALTER TABLE polls ADD COLUMN decrypt_reminded_at INTEGER;
