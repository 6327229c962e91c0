-- The job lifecycle (Jobs/): failed attempts count apart from the fencing token (attempt), and the
-- request's hash lets a replayed Idempotency-Key with a different body be refused.
ALTER TABLE jobs ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN request_hash TEXT NULL;
-- A reconnecting client gets the jobs that finished since it last heard (Realtime/JobSnapshots).
CREATE INDEX ix_jobs_user_finished ON jobs (user_id, finished_at);
-- PostgreSQL dropped it in its 0007; the queue's partial indexes serve every read by status.
DROP INDEX ix_jobs_status;

-- The transactional outbox (Outbox/): side effects written with the state change, delivered after.
CREATE TABLE outbox (
    id TEXT NOT NULL PRIMARY KEY,
    topic TEXT NOT NULL,
    user_id TEXT NULL REFERENCES users (id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    available_at TEXT NOT NULL,
    locked_until TEXT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NULL,
    delivered_at TEXT NULL,
    failed_at TEXT NULL
);
CREATE INDEX ix_outbox_pending ON outbox (id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX ix_outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
