-- Advanced generation; the PostgreSQL script explains the tables.
UPDATE plans SET features = features || ',loras,control' WHERE id IN ('pro', 'studio', 'enterprise') AND features NOT LIKE '%loras%';

CREATE TABLE workflows (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NULL,
    format TEXT NOT NULL CHECK (format IN ('workflow', 'graph')),
    document TEXT NOT NULL,
    exposed_fields TEXT NOT NULL,
    node_count INTEGER NOT NULL,
    thumbnail_image_id TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_workflows_user ON workflows (user_id, id);

CREATE TABLE shared_workflows (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NULL,
    format TEXT NOT NULL CHECK (format IN ('workflow', 'graph')),
    document TEXT NOT NULL,
    exposed_fields TEXT NOT NULL,
    node_count INTEGER NOT NULL,
    plan_ids TEXT NOT NULL,
    thumbnail_key TEXT NULL,
    created_by TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE loras (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    file_name TEXT NOT NULL,
    family TEXT NOT NULL CHECK (family IN ('sd1', 'sdxl', 'flux')),
    bytes INTEGER NOT NULL,
    file_hash TEXT NOT NULL,
    object_key TEXT NOT NULL,
    tensor_count INTEGER NOT NULL,
    trigger_words TEXT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_loras_user ON loras (user_id, id);

CREATE TABLE job_inputs (
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'lora')),
    ref_id TEXT NOT NULL,
    PRIMARY KEY (job_id, kind, ref_id)
);
CREATE INDEX ix_job_inputs_ref ON job_inputs (user_id, ref_id);

ALTER TABLE jobs ADD COLUMN graph TEXT NULL;
ALTER TABLE jobs ADD COLUMN workflow_id TEXT NULL;
ALTER TABLE jobs ADD COLUMN add_ons TEXT NULL;
