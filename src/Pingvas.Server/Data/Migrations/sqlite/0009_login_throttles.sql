-- Sign-in throttling per (email, client address) pair instead of a per-account lock, which told
-- strangers which emails exist and let them lock owners out (Accounts/LoginThrottles.cs). The id
-- is an HMAC of the pair; score decays over time (Core/Accounts/LoginThrottle.cs).
CREATE TABLE login_throttles (
    id TEXT NOT NULL PRIMARY KEY,
    score REAL NOT NULL,
    updated_at TEXT NOT NULL,
    blocked_until TEXT NULL
);
-- The purge finds pairs that have been quiet for a day.
CREATE INDEX ix_login_throttles_updated ON login_throttles (updated_at);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;

-- The purge of expired refresh tokens (Accounts/RefreshTokenPurge.cs) reads by expiry.
CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);
