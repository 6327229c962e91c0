-- LoRA-aware claims, first half; the PostgreSQL script explains the column.
ALTER TABLE workers ADD COLUMN loras TEXT NULL;
