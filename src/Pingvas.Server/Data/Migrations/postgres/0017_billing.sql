-- Billing (Billing/): provider webhooks, subscriptions, payments, and the order behind a top-up lot.

-- Every webhook event we accepted (signature good), keyed by the provider's event id (Stripe's
-- evt_…; Lemon Squeezy sends none, see Billing/LemonSqueezy/LemonSqueezyWebhook.cs for the key we
-- derive). Recorded in the transaction that applies it: a replay finds its row and changes nothing.
-- System data: webhook requests are anonymous and enter system context to write it.
CREATE TABLE billing_events (
    id uuid NOT NULL PRIMARY KEY,
    provider text NOT NULL,
    event_id text NOT NULL,
    event_name text NOT NULL,
    user_id uuid NULL,
    outcome text NOT NULL,
    payload text NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_billing_events_provider_event ON billing_events (provider, event_id);

ALTER TABLE billing_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_events FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON billing_events
    USING (coalesce(current_setting('pingvas.user_id', true), '') = 'system')
    WITH CHECK (coalesce(current_setting('pingvas.user_id', true), '') = 'system');

-- A provider subscription as the webhooks told us. paid_through: the end of the last period we
-- granted credits for (the provider's period); state_at: the provider's timestamp of the last
-- subscription state applied, so an older state arriving late is ignored. pending_*: a downgrade
-- that takes effect at paid_through; grace_until: set by a failed payment.
CREATE TABLE subscriptions (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider text NOT NULL,
    provider_subscription_id text NOT NULL,
    provider_customer_id text NULL,
    plan_id text NOT NULL,
    interval text NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'past_due', 'paused', 'expired')),
    cancel_at_period_end boolean NOT NULL,
    paid_through timestamptz NOT NULL,
    renews_at timestamptz NULL,
    ends_at timestamptz NULL,
    pending_plan_id text NULL,
    pending_interval text NULL,
    grace_until timestamptz NULL,
    state_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_subscriptions_provider_id ON subscriptions (provider, provider_subscription_id);
CREATE INDEX ix_subscriptions_user ON subscriptions (user_id);

ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscriptions
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- The payment history GET /billing shows: one row per provider payment, failure or refund.
CREATE TABLE billing_payments (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider text NOT NULL,
    reference text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('subscription', 'renewal', 'topup', 'refund')),
    description text NOT NULL,
    amount integer NOT NULL,
    currency text NOT NULL,
    status text NOT NULL CHECK (status IN ('paid', 'failed', 'refunded')),
    at timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_billing_payments_reference ON billing_payments (provider, reference);
CREATE INDEX ix_billing_payments_user ON billing_payments (user_id, at);

ALTER TABLE billing_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_payments
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- A purchased lot remembers its order ("lemonsqueezy:order:123", "stripe:pi_…"): a refund of the
-- order removes what is left of it.
ALTER TABLE credit_lots ADD COLUMN order_ref text NULL;
CREATE INDEX ix_credit_lots_order_ref ON credit_lots (order_ref);
