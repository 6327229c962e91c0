-- users.email_verified_at; the PostgreSQL script explains it.
ALTER TABLE users ADD COLUMN email_verified_at TEXT NULL;
UPDATE users SET email_verified_at = created_at;
