-- A job whose worker vanished is retried after a backoff: it is not claimable before available_at.
ALTER TABLE jobs ADD COLUMN available_at TEXT NULL;
