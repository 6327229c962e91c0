-- LoRA-aware claims, second half; the PostgreSQL script explains the column.
ALTER TABLE queue_heads ADD COLUMN loras TEXT NULL;
