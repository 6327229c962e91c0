-- Sign-in throttling per (email, client address) pair instead of a per-account lock, which told
-- strangers which emails exist and let them lock owners out (Accounts/LoginThrottles.cs). The id
-- is an HMAC of the pair; score decays over time (Core/Accounts/LoginThrottle.cs). Not a tenant
-- table: it belongs to no user, so it has no row-level security.
CREATE TABLE login_throttles (
    id text NOT NULL PRIMARY KEY,
    score double precision NOT NULL,
    updated_at timestamptz NOT NULL,
    blocked_until timestamptz NULL
);
-- The purge finds pairs that have been quiet for a day.
CREATE INDEX ix_login_throttles_updated ON login_throttles (updated_at);

ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- The purge of expired refresh tokens (Accounts/RefreshTokenPurge.cs) reads by expiry.
CREATE INDEX ix_refresh_tokens_expires ON refresh_tokens (expires_at);
