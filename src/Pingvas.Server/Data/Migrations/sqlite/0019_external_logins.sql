-- Sign-in with Google and Discord; the PostgreSQL script explains the tables.
CREATE TABLE external_logins (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX ix_external_logins_user ON external_logins (user_id);

CREATE TABLE external_sign_in_codes (
    code_hash TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX ix_external_sign_in_codes_expires ON external_sign_in_codes (expires_at);
