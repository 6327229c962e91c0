-- API keys (issue 13); see the PostgreSQL migration for the why.
CREATE TABLE api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    lookup_id TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NULL,
    last_used_at TEXT NULL,
    last_used_ip TEXT NULL,
    revoked_at TEXT NULL
);
CREATE UNIQUE INDEX ux_api_keys_lookup ON api_keys (lookup_id);
CREATE INDEX ix_api_keys_user ON api_keys (user_id, created_at);

CREATE TABLE api_usage (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (user_id, period)
);

CREATE TABLE api_key_days (
    key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calls INTEGER NOT NULL,
    PRIMARY KEY (key_id, day)
);
CREATE INDEX ix_api_key_days_user ON api_key_days (user_id, day);
