-- Completion emails (issue 13): a user's opt-ins, one row per user, absent = both off.
-- batch_finished_min: email when a generation with at least this many images succeeds (2-100, null = off);
-- job_failed: email when a generation fails (never on cancel). docs/developer-platform.md explains them.
CREATE TABLE notification_settings (
    user_id uuid NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    batch_finished_min integer NULL CHECK (batch_finished_min BETWEEN 2 AND 100),
    job_failed boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL
);

ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));
