-- The queue's heads (Queue/QueueHeads): one row per user and model with queued work. See the
-- PostgreSQL script for the columns; SQLite claims in C# over these rows.
CREATE TABLE queue_heads (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model_id TEXT NOT NULL,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    priority INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    served_at TEXT NULL,
    available_at TEXT NULL,
    passed_over_at TEXT NULL,
    blocked INTEGER NOT NULL,
    effective INTEGER NOT NULL,
    next_age_at TEXT NULL,
    PRIMARY KEY (user_id, model_id)
);
CREATE UNIQUE INDEX ux_queue_heads_job ON queue_heads (job_id);
CREATE INDEX ix_queue_heads_order ON queue_heads (model_id, effective DESC, served_at, created_at, job_id) WHERE NOT blocked;
CREATE INDEX ix_queue_heads_aging ON queue_heads (next_age_at) WHERE next_age_at IS NOT NULL;
-- Blocked heads, for the idle claim that clears the flags of owners with a free slot.
CREATE INDEX ix_queue_heads_blocked ON queue_heads (user_id) WHERE blocked;
CREATE INDEX ix_jobs_queued_model ON jobs (user_id, model_id, created_at, id) WHERE status = 'queued';

INSERT INTO queue_heads (user_id, model_id, job_id, priority, created_at, served_at, available_at, passed_over_at, blocked, effective, next_age_at)
SELECT j.user_id, j.model_id, j.id, j.priority, j.created_at, u.last_served_at, j.available_at, NULL, 0, j.priority, NULL
FROM jobs j JOIN users u ON u.id = j.user_id
WHERE j.status = 'queued'
  AND NOT EXISTS (SELECT 1 FROM jobs k WHERE k.user_id = j.user_id AND k.model_id = j.model_id AND k.status = 'queued'
                  AND (k.created_at < j.created_at OR (k.created_at = j.created_at AND k.id < j.id)));
