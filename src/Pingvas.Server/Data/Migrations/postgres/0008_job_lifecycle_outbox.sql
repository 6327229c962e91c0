-- The job lifecycle (Jobs/): failed attempts count apart from the fencing token (attempt), and the
-- request's hash lets a replayed Idempotency-Key with a different body be refused.
ALTER TABLE jobs ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN request_hash text NULL;
-- A reconnecting client gets the jobs that finished since it last heard (Realtime/JobSnapshots).
CREATE INDEX ix_jobs_user_finished ON jobs (user_id, finished_at);

-- The transactional outbox (Outbox/): side effects written with the state change, delivered after.
CREATE TABLE outbox (
    id uuid NOT NULL PRIMARY KEY,
    topic text NOT NULL,
    user_id uuid NULL REFERENCES users (id) ON DELETE CASCADE,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    available_at timestamptz NOT NULL,
    locked_until timestamptz NULL,
    attempts integer NOT NULL,
    last_error text NULL,
    delivered_at timestamptz NULL,
    failed_at timestamptz NULL
);
CREATE INDEX ix_outbox_pending ON outbox (id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX ix_outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Every commit that adds messages wakes the dispatchers of every process (one NOTIFY per
-- transaction: PostgreSQL folds identical notifications), without a round trip of its own.
CREATE FUNCTION pingvas_outbox_wake() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_notify('pingvas_outbox', ''); RETURN NULL; END $$;
CREATE TRIGGER outbox_wake AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION pingvas_outbox_wake();

-- Row-level security fails closed: a session keyed to a user sees that user's rows, a session in
-- system context ('system', entered explicitly by workers, recovery, the outbox and housekeeping)
-- sees every row, and a session keyed to nothing (NULL or '') sees no tenant row at all.
CREATE OR REPLACE FUNCTION pingvas_tenant_allows(row_user uuid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT CASE coalesce(current_setting('pingvas.user_id', true), '')
                     WHEN 'system' THEN true
                     WHEN '' THEN false
                     ELSE current_setting('pingvas.user_id', true)::uuid = row_user
                 END $$;
