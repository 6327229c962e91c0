-- Webhook deliveries get their own outbox lane (Outbox/OutboxLane.cs): a message's partition key
-- names its target, so the lane sends to many targets at once but to each one at a time.
ALTER TABLE outbox ADD COLUMN partition_key text NULL;

-- The delivery log is pruned by age (Webhooks/WebhookDeliveryPruner.cs, Webhooks:DeliveryLogDays).
CREATE INDEX ix_webhook_deliveries_created ON webhook_deliveries (created_at);
