-- API keys (issue 13): the lookup id finds the row, the SHA-256 of the whole key (hex) is compared in
-- constant time; the key itself is never stored. Scopes are a space-separated list.
CREATE TABLE api_keys (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    lookup_id text NOT NULL,
    key_hash text NOT NULL,
    scopes text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NULL,
    last_used_at timestamptz NULL,
    last_used_ip text NULL,
    revoked_at timestamptz NULL
);
CREATE UNIQUE INDEX ux_api_keys_lookup ON api_keys (lookup_id);
CREATE INDEX ix_api_keys_user ON api_keys (user_id, created_at);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- The monthly counter of key-submitted generations (period: 'YYYY-MM', UTC), taken in the submit's
-- transaction by one conditional UPDATE so that no two processes spend the last call.
CREATE TABLE api_usage (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period text NOT NULL,
    calls integer NOT NULL,
    PRIMARY KEY (user_id, period)
);

ALTER TABLE api_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_usage
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Per key and UTC day, for the usage chart.
CREATE TABLE api_key_days (
    key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    day text NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    calls integer NOT NULL,
    PRIMARY KEY (key_id, day)
);
CREATE INDEX ix_api_key_days_user ON api_key_days (user_id, day);

ALTER TABLE api_key_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_key_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_key_days
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));
