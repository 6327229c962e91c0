-- users.email_verified_at: when the account proved it owns its address (a link we mailed, or a
-- sign-in provider that vouches for it). Accounts made before verification existed count as
-- verified from their creation.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz NULL;
UPDATE users SET email_verified_at = created_at;
