-- The queue's own partial indexes (0006) serve every read by status. This one only tempted the
-- planner, when statistics said few jobs were queued, into scanning every queued job for each
-- head probe of a claim (a cached generic plan then kept doing so).
DROP INDEX ix_jobs_status;
