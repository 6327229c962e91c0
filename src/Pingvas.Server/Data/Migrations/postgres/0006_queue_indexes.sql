-- Each user's next job is the first entry for that user here: the claim probes it once per user with queued work.
CREATE INDEX ix_jobs_queued_head ON jobs (user_id, created_at, id) WHERE status = 'queued';
-- The running limit counts a user's running jobs: only those rows, not the user's whole history.
CREATE INDEX ix_jobs_running_user ON jobs (user_id) WHERE status = 'running';
