-- Admin and account features (Admin/, Accounts/); the PostgreSQL script explains each column.
ALTER TABLE users ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN language TEXT NULL;
ALTER TABLE users ADD COLUMN totp_secret TEXT NULL;
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT NULL;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

ALTER TABLE refresh_tokens ADD COLUMN mfa INTEGER NOT NULL DEFAULT 0;

CREATE TABLE totp_recovery_codes (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_totp_recovery_codes_user ON totp_recovery_codes (user_id);

CREATE TABLE admin_audit (
    id TEXT NOT NULL PRIMARY KEY,
    admin_id TEXT NOT NULL,
    admin_email TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NULL,
    before_json TEXT NULL,
    after_json TEXT NULL,
    client_address TEXT NULL,
    user_agent TEXT NULL,
    created_at TEXT NOT NULL
);

-- Append-only: rows can be inserted and read, never changed or removed.
CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit BEGIN SELECT RAISE(ABORT, 'admin_audit is append-only'); END;
CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit BEGIN SELECT RAISE(ABORT, 'admin_audit is append-only'); END;
