-- The worker registry (Workers/): one row per worker loop of a running worker or serve process,
-- written by that process (start, claim, finish, health, refresh, a heartbeat every few seconds)
-- and deleted on a clean stop. The API decides model_unavailable from the fresh rows, and the
-- admin endpoint lists them. models is the servable set, comma-separated catalog ids.
CREATE TABLE workers (
    id text NOT NULL PRIMARY KEY,
    process text NOT NULL,
    role text NOT NULL,
    engine text NOT NULL,
    instance text NOT NULL,
    gpu_class text NOT NULL,
    models text NOT NULL,
    loaded_model text NULL,
    state text NOT NULL,
    current_job_id uuid NULL,
    jobs_done bigint NOT NULL,
    busy_ms bigint NOT NULL,
    started_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
-- The heartbeat and the clean stop touch a process's rows in one statement.
CREATE INDEX ix_workers_process ON workers (process);
-- Readers skip stale rows and the purge deletes long-stale ones by heartbeat.
CREATE INDEX ix_workers_heartbeat ON workers (heartbeat_at);

-- System data, not tenant data: no user owns a row, so a session keyed to a user sees and writes
-- none (fail closed like every policy since 0008). Workers, housekeeping and the few request-path
-- reads (availability, the admin list) enter system context for it explicitly.
ALTER TABLE workers ENABLE ROW LEVEL SECURITY;
ALTER TABLE workers FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON workers
    USING (coalesce(current_setting('pingvas.user_id', true), '') = 'system')
    WITH CHECK (coalesce(current_setting('pingvas.user_id', true), '') = 'system');
