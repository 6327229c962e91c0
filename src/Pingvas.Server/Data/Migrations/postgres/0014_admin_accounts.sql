-- Admin and account features (Admin/, Accounts/).
-- users.suspended: an admin's suspension; every request of the account is refused while set.
-- users.token_version: access tokens carry the version they were issued at ("ver"); raising it
-- (sign out everywhere, suspension, password change) refuses every older token at once. It is
-- read by the query that already checks the account on each request: no extra round trip.
-- users.language: the account's UI language (ko|en), NULL until chosen.
-- TOTP (admins): the base32 secret, when the enrolment was confirmed, and the last time step
-- accepted, so a code is never accepted twice.
ALTER TABLE users
    ADD COLUMN suspended boolean NOT NULL DEFAULT false,
    ADD COLUMN token_version integer NOT NULL DEFAULT 0,
    ADD COLUMN language text NULL,
    ADD COLUMN totp_secret text NULL,
    ADD COLUMN totp_enabled_at timestamptz NULL,
    ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;

-- A refresh token family remembers whether it was signed in with a TOTP code, so the access
-- tokens it rotates into keep the "signed in with the code" mark the admin routes require.
ALTER TABLE refresh_tokens ADD COLUMN mfa boolean NOT NULL DEFAULT false;

-- Single-use TOTP recovery codes, hashed with the password KDF.
CREATE TABLE totp_recovery_codes (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at timestamptz NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_totp_recovery_codes_user ON totp_recovery_codes (user_id);

ALTER TABLE totp_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE totp_recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON totp_recovery_codes
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- The admin audit log: one row per admin call that changed something, written in the change's
-- transaction. No foreign key: the record outlives the accounts it names.
CREATE TABLE admin_audit (
    id uuid NOT NULL PRIMARY KEY,
    admin_id uuid NOT NULL,
    admin_email text NOT NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text NULL,
    before_json text NULL,
    after_json text NULL,
    client_address text NULL,
    user_agent text NULL,
    created_at timestamptz NOT NULL
);

-- Append-only, whoever connects: rows can be inserted and read, never changed or removed.
CREATE FUNCTION pingvas_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'admin_audit is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
CREATE TRIGGER admin_audit_no_update BEFORE UPDATE OR DELETE ON admin_audit FOR EACH ROW EXECUTE FUNCTION pingvas_audit_append_only();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit FOR EACH STATEMENT EXECUTE FUNCTION pingvas_audit_append_only();

-- System data (no user owns a row): admin requests enter system context to write and read it.
ALTER TABLE admin_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE admin_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON admin_audit
    USING (coalesce(current_setting('pingvas.user_id', true), '') = 'system')
    WITH CHECK (coalesce(current_setting('pingvas.user_id', true), '') = 'system');
