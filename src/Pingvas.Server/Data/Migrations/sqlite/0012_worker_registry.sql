-- The worker registry (Workers/): one row per worker loop of a running serve process, written by
-- that process (start, claim, finish, health, refresh, a heartbeat every few seconds) and deleted
-- on a clean stop. The API decides model_unavailable from the fresh rows, and the admin endpoint
-- lists them. models is the servable set, comma-separated catalog ids.
CREATE TABLE workers (
    id TEXT NOT NULL PRIMARY KEY,
    process TEXT NOT NULL,
    role TEXT NOT NULL,
    engine TEXT NOT NULL,
    instance TEXT NOT NULL,
    gpu_class TEXT NOT NULL,
    models TEXT NOT NULL,
    loaded_model TEXT NULL,
    state TEXT NOT NULL,
    current_job_id TEXT NULL,
    jobs_done INTEGER NOT NULL,
    busy_ms INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
-- The heartbeat and the clean stop touch a process's rows in one statement.
CREATE INDEX ix_workers_process ON workers (process);
-- Readers skip stale rows and the purge deletes long-stale ones by heartbeat.
CREATE INDEX ix_workers_heartbeat ON workers (heartbeat_at);
