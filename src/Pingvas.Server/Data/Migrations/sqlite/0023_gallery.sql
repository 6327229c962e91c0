-- Gallery, sharing, storage and your data; the PostgreSQL script explains the tables.
CREATE TABLE folders (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id TEXT NULL REFERENCES folders (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_folders_user ON folders (user_id, parent_id);

ALTER TABLE images ADD COLUMN folder_id TEXT NULL REFERENCES folders (id) ON DELETE SET NULL;
ALTER TABLE images ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN negative_prompt TEXT NULL;
ALTER TABLE images ADD COLUMN use_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN deleted_at TEXT NULL;
ALTER TABLE images ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE images SET search_text = lower(prompt);
CREATE INDEX ix_images_folder ON images (user_id, folder_id, id);
CREATE INDEX ix_images_deleted ON images (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE image_tags (
    image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (image_id, tag)
);
CREATE INDEX ix_image_tags_user_tag ON image_tags (user_id, tag, image_id);

ALTER TABLE jobs ADD COLUMN tags TEXT NULL;
ALTER TABLE jobs ADD COLUMN reserved_bytes INTEGER NOT NULL DEFAULT 0;

CREATE TABLE shares (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    image_id TEXT NULL REFERENCES images (id) ON DELETE CASCADE,
    folder_id TEXT NULL REFERENCES folders (id) ON DELETE CASCADE,
    password_hash TEXT NULL,
    expires_at TEXT NULL,
    max_views INTEGER NULL,
    views INTEGER NOT NULL DEFAULT 0,
    revoked_at TEXT NULL,
    created_at TEXT NOT NULL,
    CHECK ((image_id IS NULL) <> (folder_id IS NULL))
);
CREATE UNIQUE INDEX ux_shares_token ON shares (token);
CREATE INDEX ix_shares_user ON shares (user_id, id);

CREATE TABLE share_views (
    share_id TEXT NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    viewed_at TEXT NOT NULL,
    PRIMARY KEY (share_id, visitor)
);

CREATE TABLE presets (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_presets_user ON presets (user_id, id);

CREATE TABLE shared_presets (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    plan_ids TEXT NOT NULL,
    default_for_model TEXT NULL,
    created_by TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE users ADD COLUMN retention_days INTEGER NULL;
ALTER TABLE users ADD COLUMN deleted_at TEXT NULL;

CREATE TABLE data_exports (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
    progress INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    object_key TEXT NULL,
    error TEXT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT NULL,
    finished_at TEXT NULL,
    expires_at TEXT NULL
);
CREATE INDEX ix_data_exports_user ON data_exports (user_id, id);
CREATE INDEX ix_data_exports_status ON data_exports (status);
