-- Billing (Billing/); the PostgreSQL script explains each table.
CREATE TABLE billing_events (
    id TEXT NOT NULL PRIMARY KEY,
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_name TEXT NOT NULL,
    user_id TEXT NULL,
    outcome TEXT NOT NULL,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_billing_events_provider_event ON billing_events (provider, event_id);

CREATE TABLE subscriptions (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    provider_subscription_id TEXT NOT NULL,
    provider_customer_id TEXT NULL,
    plan_id TEXT NOT NULL,
    interval TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'paused', 'expired')),
    cancel_at_period_end INTEGER NOT NULL,
    paid_through TEXT NOT NULL,
    renews_at TEXT NULL,
    ends_at TEXT NULL,
    pending_plan_id TEXT NULL,
    pending_interval TEXT NULL,
    grace_until TEXT NULL,
    state_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_subscriptions_provider_id ON subscriptions (provider, provider_subscription_id);
CREATE INDEX ix_subscriptions_user ON subscriptions (user_id);

CREATE TABLE billing_payments (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('subscription', 'renewal', 'topup', 'refund')),
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('paid', 'failed', 'refunded')),
    at TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_billing_payments_reference ON billing_payments (provider, reference);
CREATE INDEX ix_billing_payments_user ON billing_payments (user_id, at);

ALTER TABLE credit_lots ADD COLUMN order_ref TEXT NULL;
CREATE INDEX ix_credit_lots_order_ref ON credit_lots (order_ref);
