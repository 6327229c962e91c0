-- Email accounts (Accounts/AccountTokens.cs, Notices/).
-- account_tokens: single-use, expiring links we mail (verify_email, email_change, password_reset),
-- stored as the SHA-256 hash of a 32-byte random token; new_email is the address an email_change
-- token moves the account to. Used (or superseded) tokens keep used_at; expired and used ones are
-- purged with the refresh tokens' purge (Accounts/AccountTokens.cs).
CREATE TABLE account_tokens (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    new_email text NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz NULL
);
-- Newer tokens of a purpose supersede older ones; resends and resets are rate limited by their count.
CREATE INDEX ix_account_tokens_user_purpose ON account_tokens (user_id, purpose, created_at);

ALTER TABLE account_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_tokens
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- notices: in-app notices (credits low/exhausted, ...); data is JSON for the web app. dedupe_key
-- makes a notice once per its scope (e.g. credits_low:<period start>): a repeat is not written.
CREATE TABLE notices (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL,
    data text NOT NULL,
    dedupe_key text NOT NULL,
    created_at timestamptz NOT NULL,
    dismissed_at timestamptz NULL
);
CREATE UNIQUE INDEX ux_notices_user_dedupe ON notices (user_id, dedupe_key);
CREATE INDEX ix_notices_user_created ON notices (user_id, created_at);

ALTER TABLE notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE notices FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notices
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));
