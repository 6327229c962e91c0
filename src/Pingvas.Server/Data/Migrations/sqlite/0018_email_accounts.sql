-- Email accounts; the PostgreSQL script explains each table.
CREATE TABLE account_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    new_email TEXT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT NULL
);
CREATE INDEX ix_account_tokens_user_purpose ON account_tokens (user_id, purpose, created_at);

CREATE TABLE notices (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dismissed_at TEXT NULL
);
CREATE UNIQUE INDEX ux_notices_user_dedupe ON notices (user_id, dedupe_key);
CREATE INDEX ix_notices_user_created ON notices (user_id, created_at);
