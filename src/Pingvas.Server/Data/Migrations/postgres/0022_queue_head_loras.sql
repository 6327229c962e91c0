-- LoRA-aware claims, second half: a queue head carries its job's LoRA ids (as workers.loras writes them:
-- 32 hex digits, sorted, comma-separated; NULL when none), so a claim can leave a fresh head to an idle
-- worker that holds them (Queue/ClaimSql). Heads queued before this migration carry none: they are
-- simply never held back, which is always safe.
ALTER TABLE queue_heads ADD COLUMN loras text NULL;
