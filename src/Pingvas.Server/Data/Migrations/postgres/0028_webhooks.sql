-- Completion webhooks (issue 13, docs/developer-platform.md "Webhooks"): a user's endpoints, the
-- account's default secret (signs per-generation webhooks), and every delivery with its attempts.
-- Secrets are AES-GCM ciphertexts (WebhookSecrets), never plain text.

CREATE TABLE webhook_endpoints (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url text NOT NULL,
    events text NOT NULL,
    description text NULL,
    enabled boolean NOT NULL,
    disabled_reason text NULL,
    secret text NOT NULL,
    previous_secret text NULL,
    previous_secret_until timestamptz NULL,
    failing_since timestamptz NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_webhook_endpoints_user ON webhook_endpoints (user_id, id);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_endpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

CREATE TABLE webhook_default_secrets (
    user_id uuid NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret text NOT NULL,
    previous_secret text NULL,
    previous_secret_until timestamptz NULL,
    created_at timestamptz NOT NULL
);

ALTER TABLE webhook_default_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_default_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_default_secrets
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- One row per message sent to one target: endpoint_id is null for a per-generation webhook (url from
-- the job). message_id is the webhook-id, shared by a redelivery. body is the JSON sent, signed at
-- each attempt. attempts_log is a JSON array of {at, statusCode, durationMs, error}.
CREATE TABLE webhook_deliveries (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint_id uuid NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    url text NOT NULL,
    message_id uuid NOT NULL,
    event_type text NOT NULL,
    generation_id uuid NULL,
    body text NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    last_status_code integer NULL,
    last_error text NULL,
    next_attempt_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz NULL,
    attempts_log text NOT NULL DEFAULT '[]'
);
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX ix_webhook_deliveries_generation ON webhook_deliveries (generation_id, url, id) WHERE generation_id IS NOT NULL;
CREATE INDEX ix_webhook_deliveries_user_event ON webhook_deliveries (user_id, event_type, created_at);

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Per-generation webhook (POST /generations {webhook, webhookEvents}): the target and the events, comma-separated.
ALTER TABLE jobs ADD COLUMN webhook_url text NULL;
ALTER TABLE jobs ADD COLUMN webhook_events text NULL;
