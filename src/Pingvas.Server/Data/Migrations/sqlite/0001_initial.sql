-- Pingvas schema v1 (SQLite, the embedded default). Keep in step with ../postgres/0001_initial.sql.
-- Ids are UUIDv7 text, times are UTC text ('yyyy-MM-dd HH:mm:ss.fffffff', sortable), enums lower-case text.

CREATE TABLE plans (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    rank INTEGER NOT NULL,
    monthly_price_cents INTEGER NULL,
    annual_price_cents INTEGER NULL,
    monthly_credits INTEGER NULL,
    storage_bytes INTEGER NULL,
    concurrent_jobs INTEGER NULL,
    queue_priority INTEGER NOT NULL,
    api_calls_per_month INTEGER NULL,
    max_side INTEGER NOT NULL,
    max_batch INTEGER NOT NULL,
    features TEXT NOT NULL
);

CREATE TABLE models (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('local', 'external')),
    family TEXT NOT NULL,
    min_plan_id TEXT NOT NULL REFERENCES plans (id),
    base_seconds REAL NOT NULL,
    seconds_per_step_megapixel REAL NOT NULL,
    credits_per_image INTEGER NOT NULL,
    default_steps INTEGER NOT NULL,
    default_side INTEGER NOT NULL,
    enabled INTEGER NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans (id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    last_served_at TEXT NULL,
    failed_logins INTEGER NOT NULL,
    locked_until TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_users_period_end ON users (period_end);

CREATE TABLE refresh_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT NULL
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE credit_lots (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    granted INTEGER NOT NULL,
    remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= granted),
    valid_from TEXT NOT NULL,
    expires_at TEXT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_credit_lots_user ON credit_lots (user_id);

CREATE TABLE jobs (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    prompt TEXT NOT NULL,
    negative_prompt TEXT NULL,
    model_id TEXT NOT NULL REFERENCES models (id),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    cfg_scale REAL NOT NULL,
    scheduler TEXT NOT NULL,
    seed INTEGER NOT NULL,
    batch_size INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    reserved_credits INTEGER NOT NULL,
    credits_charged INTEGER NULL,
    compute_ms INTEGER NULL,
    model_load_ms INTEGER NULL,
    engine TEXT NULL,
    progress_step INTEGER NOT NULL,
    progress_total INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    worker_id TEXT NULL,
    lease_expires_at TEXT NULL,
    cancel_requested INTEGER NOT NULL,
    error_code TEXT NULL,
    error TEXT NULL,
    idempotency_key TEXT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT NULL,
    finished_at TEXT NULL
);
CREATE INDEX ix_jobs_user ON jobs (user_id, id);
CREATE INDEX ix_jobs_status ON jobs (status, created_at);
CREATE UNIQUE INDEX ux_jobs_idempotency ON jobs (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE ledger_entries (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('grant', 'reserve', 'release', 'charge', 'refund', 'adjust', 'expire')),
    amount INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    reason TEXT NOT NULL,
    job_id TEXT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_ledger_entries_user ON ledger_entries (user_id, id);

CREATE TABLE lot_holds (
    id TEXT NOT NULL PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    lot_id TEXT NOT NULL REFERENCES credit_lots (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    held INTEGER NOT NULL CHECK (held >= 0),
    charged INTEGER NOT NULL CHECK (charged >= 0),
    settled INTEGER NOT NULL
);
CREATE INDEX ix_lot_holds_job ON lot_holds (job_id);

CREATE TABLE images (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    batch_index INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    model_id TEXT NOT NULL,
    prompt TEXT NOT NULL,
    original_key TEXT NOT NULL,
    thumb_256_key TEXT NOT NULL,
    thumb_512_key TEXT NOT NULL,
    stored_bytes INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_images_user ON images (user_id, id);
CREATE UNIQUE INDEX ux_images_job_index ON images (job_id, batch_index);
