-- Completion emails (issue 13): a user's opt-ins, one row per user, absent = both off.
CREATE TABLE notification_settings (
    user_id TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    batch_finished_min INTEGER NULL CHECK (batch_finished_min BETWEEN 2 AND 100),
    job_failed INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
