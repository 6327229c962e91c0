-- Row-level security on the tenant tables, as defence in depth behind the user filters in the
-- code (PostgreSQL only; SQLite has no RLS). The app sets `pingvas.user_id` on its connection
-- for every command of a signed-in request (Data/TenantSessionInterceptor.cs); a row is then
-- visible and writable only when it belongs to that user. With no user set (NULL, or '' after
-- the pool's RESET ALL) the session is system context — workers, queue order, migrations,
-- registration and login — and sees every row.
--
-- The app connects as the tables' owner, who bypasses RLS unless it is FORCEd. Superusers and
-- roles with BYPASSRLS always bypass it: do not run the app as one.
-- USING filters what is read, updated and deleted; WITH CHECK rejects inserted or updated rows
-- of another user. Foreign-key checks and ON DELETE CASCADE are not subject to policies.

-- True when no user is set (system context) or the row is that user's. A value that is not a
-- uuid fails the query rather than opening it. One SQL expression, inlined by the planner.
CREATE FUNCTION pingvas_tenant_allows(row_user uuid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(nullif(current_setting('pingvas.user_id', true), '')::uuid = row_user, true) $$;

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

ALTER TABLE images ENABLE ROW LEVEL SECURITY;
ALTER TABLE images FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON images
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

ALTER TABLE credit_lots ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_lots FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credit_lots
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_entries
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

ALTER TABLE lot_holds ENABLE ROW LEVEL SECURITY;
ALTER TABLE lot_holds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON lot_holds
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));
