-- Pingvas schema v1 (PostgreSQL). Keep in step with ../sqlite/0001_initial.sql.
-- Ids are UUIDv7, times timestamptz (UTC), enums lower-case text.

CREATE TABLE plans (
    id text NOT NULL PRIMARY KEY,
    name text NOT NULL,
    rank integer NOT NULL,
    monthly_price_cents integer NULL,
    annual_price_cents integer NULL,
    monthly_credits integer NULL,
    storage_bytes bigint NULL,
    concurrent_jobs integer NULL,
    queue_priority integer NOT NULL,
    api_calls_per_month integer NULL,
    max_side integer NOT NULL,
    max_batch integer NOT NULL,
    features text NOT NULL
);

CREATE TABLE models (
    id text NOT NULL PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('local', 'external')),
    family text NOT NULL,
    min_plan_id text NOT NULL REFERENCES plans (id),
    base_seconds double precision NOT NULL,
    seconds_per_step_megapixel double precision NOT NULL,
    credits_per_image integer NOT NULL,
    default_steps integer NOT NULL,
    default_side integer NOT NULL,
    enabled boolean NOT NULL,
    description text NOT NULL
);

CREATE TABLE users (
    id uuid NOT NULL PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL,
    plan_id text NOT NULL REFERENCES plans (id),
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    last_served_at timestamptz NULL,
    failed_logins integer NOT NULL,
    locked_until timestamptz NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_users_period_end ON users (period_end);

CREATE TABLE refresh_tokens (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id uuid NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NULL
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE credit_lots (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source text NOT NULL,
    granted integer NOT NULL,
    remaining integer NOT NULL CHECK (remaining >= 0 AND remaining <= granted),
    valid_from timestamptz NOT NULL,
    expires_at timestamptz NULL,
    reason text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_credit_lots_user ON credit_lots (user_id);

CREATE TABLE jobs (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    prompt text NOT NULL,
    negative_prompt text NULL,
    model_id text NOT NULL REFERENCES models (id),
    width integer NOT NULL,
    height integer NOT NULL,
    steps integer NOT NULL,
    cfg_scale double precision NOT NULL,
    scheduler text NOT NULL,
    seed bigint NOT NULL,
    batch_size integer NOT NULL,
    priority integer NOT NULL,
    reserved_credits integer NOT NULL,
    credits_charged integer NULL,
    compute_ms bigint NULL,
    model_load_ms bigint NULL,
    engine text NULL,
    progress_step integer NOT NULL,
    progress_total integer NOT NULL,
    attempt integer NOT NULL,
    worker_id text NULL,
    lease_expires_at timestamptz NULL,
    cancel_requested boolean NOT NULL,
    error_code text NULL,
    error text NULL,
    idempotency_key text NULL,
    created_at timestamptz NOT NULL,
    started_at timestamptz NULL,
    finished_at timestamptz NULL
);
CREATE INDEX ix_jobs_user ON jobs (user_id, id);
CREATE INDEX ix_jobs_status ON jobs (status, created_at);
CREATE UNIQUE INDEX ux_jobs_idempotency ON jobs (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE ledger_entries (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('grant', 'reserve', 'release', 'charge', 'refund', 'adjust', 'expire')),
    amount integer NOT NULL,
    balance_after integer NOT NULL CHECK (balance_after >= 0),
    reason text NOT NULL,
    job_id uuid NULL,
    idempotency_key text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_ledger_entries_user ON ledger_entries (user_id, id);

CREATE TABLE lot_holds (
    id uuid NOT NULL PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    lot_id uuid NOT NULL REFERENCES credit_lots (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sequence integer NOT NULL,
    held integer NOT NULL CHECK (held >= 0),
    charged integer NOT NULL CHECK (charged >= 0),
    settled boolean NOT NULL
);
CREATE INDEX ix_lot_holds_job ON lot_holds (job_id);

CREATE TABLE images (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    batch_index integer NOT NULL,
    seed bigint NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    model_id text NOT NULL,
    prompt text NOT NULL,
    original_key text NOT NULL,
    thumb_256_key text NOT NULL,
    thumb_512_key text NOT NULL,
    stored_bytes bigint NOT NULL,
    metadata text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_images_user ON images (user_id, id);
CREATE UNIQUE INDEX ux_images_job_index ON images (job_id, batch_index);
