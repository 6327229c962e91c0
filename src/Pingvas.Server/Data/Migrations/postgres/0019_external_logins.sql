-- Sign-in with Google and Discord (Accounts/External/).
-- external_logins: a provider's account (provider, its stable subject id) linked to one of ours.
-- Linked on first sign-in, by a verified email that matches a verified account, or to a new account.
CREATE TABLE external_logins (
    provider text NOT NULL,
    subject text NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email text NULL,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX ix_external_logins_user ON external_logins (user_id);

ALTER TABLE external_logins ENABLE ROW LEVEL SECURITY;
ALTER TABLE external_logins FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON external_logins
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- One-time codes that hand a finished provider sign-in to the web app (POST /auth/external/exchange).
-- Stored as their SHA-256 hash, good for two minutes, deleted on use: any api process can redeem one.
CREATE TABLE external_sign_in_codes (
    code_hash text NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX ix_external_sign_in_codes_expires ON external_sign_in_codes (expires_at);

ALTER TABLE external_sign_in_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE external_sign_in_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON external_sign_in_codes
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));
