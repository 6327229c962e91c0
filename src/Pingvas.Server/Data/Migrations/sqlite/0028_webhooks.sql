-- Completion webhooks; the PostgreSQL script explains the tables.
CREATE TABLE webhook_endpoints (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT NULL,
    enabled INTEGER NOT NULL,
    disabled_reason TEXT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT NULL,
    previous_secret_until TEXT NULL,
    failing_since TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_webhook_endpoints_user ON webhook_endpoints (user_id, id);

CREATE TABLE webhook_default_secrets (
    user_id TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    previous_secret TEXT NULL,
    previous_secret_until TEXT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint_id TEXT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    generation_id TEXT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER NULL,
    last_error TEXT NULL,
    next_attempt_at TEXT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT NULL,
    attempts_log TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX ix_webhook_deliveries_generation ON webhook_deliveries (generation_id, url, id) WHERE generation_id IS NOT NULL;
CREATE INDEX ix_webhook_deliveries_user_event ON webhook_deliveries (user_id, event_type, created_at);

ALTER TABLE jobs ADD COLUMN webhook_url TEXT NULL;
ALTER TABLE jobs ADD COLUMN webhook_events TEXT NULL;
