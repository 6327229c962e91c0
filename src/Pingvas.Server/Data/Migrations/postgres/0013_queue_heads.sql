-- The queue's heads (Queue/QueueHeads): one row per user and model with queued work, holding that
-- pair's next job, so a claim reads a few index entries per model instead of one per waiting user.
-- effective is the head's aged priority as of its last aging; next_age_at is when it rises again
-- (NULL at the top level or without aging): a claim first ages the heads that are due, so the
-- order index is exact when it is read. blocked: the owner is at the plan's running limit.
CREATE TABLE queue_heads (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    model_id text NOT NULL,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    priority integer NOT NULL,
    created_at timestamptz NOT NULL,
    served_at timestamptz NULL,
    available_at timestamptz NULL,
    passed_over_at timestamptz NULL,
    blocked boolean NOT NULL,
    effective integer NOT NULL,
    next_age_at timestamptz NULL,
    PRIMARY KEY (user_id, model_id)
);
CREATE UNIQUE INDEX ux_queue_heads_job ON queue_heads (job_id);
CREATE INDEX ix_queue_heads_order ON queue_heads (model_id, effective DESC, served_at NULLS FIRST, created_at, job_id) WHERE NOT blocked;
CREATE INDEX ix_queue_heads_aging ON queue_heads (next_age_at) WHERE next_age_at IS NOT NULL;
-- Blocked heads, for the idle claim that clears the flags of owners with a free slot.
CREATE INDEX ix_queue_heads_blocked ON queue_heads (user_id) WHERE blocked;
-- A pair's next job when its head is claimed or cancelled.
CREATE INDEX ix_jobs_queued_model ON jobs (user_id, model_id, created_at, id) WHERE status = 'queued';

ALTER TABLE queue_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE queue_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON queue_heads
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Heads for what is queued already; effective and next_age_at start at the plan priority and
-- are brought up to date by the first claim's aging.
INSERT INTO queue_heads (user_id, model_id, job_id, priority, created_at, served_at, available_at, passed_over_at, blocked, effective, next_age_at)
SELECT DISTINCT ON (j.user_id, j.model_id) j.user_id, j.model_id, j.id, j.priority, j.created_at, u.last_served_at, j.available_at, NULL, false, j.priority, now()
FROM jobs j JOIN users u ON u.id = j.user_id
WHERE j.status = 'queued'
ORDER BY j.user_id, j.model_id, j.created_at, j.id;
