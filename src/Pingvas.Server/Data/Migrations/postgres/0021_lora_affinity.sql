-- LoRA-aware claims, first half: each worker reports the users' LoRAs its node holds (ids, comma-separated,
-- at most Workers/WorkerLoras.MaxReported), so the fleet can be asked who holds a job's LoRAs.
ALTER TABLE workers ADD COLUMN loras text NULL;
