-- Gallery, sharing, storage and your data (issue 12): folders, tags, star, trash, "use again" counts,
-- search text, share links, presets, retention, storage reservations, data exports, account deletion.
-- docs/gallery.md explains each part.

-- Substring search over prompts, tags and folder names, Korean included (trigrams of any script
-- under a UTF-8 ctype). Trusted since PostgreSQL 13: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Folders: a user's own, nested one level (a child's parent has no parent: checked in code, under
-- the owner's lock, as is a unique name among siblings). Deleting a folder deletes its children;
-- their images go back to the root (images.folder_id ON DELETE SET NULL).
CREATE TABLE folders (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_id uuid NULL REFERENCES folders (id) ON DELETE CASCADE,
    name text NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_folders_user ON folders (user_id, parent_id);

ALTER TABLE folders ENABLE ROW LEVEL SECURITY;
ALTER TABLE folders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON folders
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Images: in at most one folder; starred; trashed (deleted_at: hidden everywhere but the trash,
-- still counted in storage, purged with its objects 30 days later); use_count is how often
-- "use again" submitted its settings; search_text is the normalised (full-width folded, lower-case) prompt,
-- negative prompt and tags the search box matches (GallerySearchText).
ALTER TABLE images ADD COLUMN folder_id uuid NULL REFERENCES folders (id) ON DELETE SET NULL;
ALTER TABLE images ADD COLUMN starred boolean NOT NULL DEFAULT false;
ALTER TABLE images ADD COLUMN negative_prompt text NULL;
ALTER TABLE images ADD COLUMN use_count integer NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN deleted_at timestamptz NULL;
ALTER TABLE images ADD COLUMN search_text text NOT NULL DEFAULT '';
UPDATE images SET search_text = lower(prompt);
CREATE INDEX ix_images_folder ON images (user_id, folder_id, id);
CREATE INDEX ix_images_deleted ON images (deleted_at) WHERE deleted_at IS NOT NULL;

-- Tags: free text (normalised: full-width ASCII folded, trimmed, lower-case), many per image.
CREATE TABLE image_tags (
    image_id uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag text NOT NULL,
    PRIMARY KEY (image_id, tag)
);
CREATE INDEX ix_image_tags_user_tag ON image_tags (user_id, tag, image_id);

ALTER TABLE image_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE image_tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON image_tags
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Jobs: the tags the request set (JSON array), given to its images; the storage its outputs may take,
-- reserved at submit against the plan's quota while the job waits or runs (StorageQuota).
ALTER TABLE jobs ADD COLUMN tags text NULL;
ALTER TABLE jobs ADD COLUMN reserved_bytes bigint NOT NULL DEFAULT 0;

-- Share links: one image or one folder (with its sub-folders). token is the unguessable part of the
-- public URL; password_hash uses the password KDF; an expired, revoked or exhausted link answers
-- like a missing one. Read by token without a tenant (the public page), written by its owner.
CREATE TABLE shares (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token text NOT NULL,
    image_id uuid NULL REFERENCES images (id) ON DELETE CASCADE,
    folder_id uuid NULL REFERENCES folders (id) ON DELETE CASCADE,
    password_hash text NULL,
    expires_at timestamptz NULL,
    max_views integer NULL,
    views integer NOT NULL DEFAULT 0,
    revoked_at timestamptz NULL,
    created_at timestamptz NOT NULL,
    CHECK ((image_id IS NULL) <> (folder_id IS NULL))
);
CREATE UNIQUE INDEX ux_shares_token ON shares (token);
CREATE INDEX ix_shares_user ON shares (user_id, id);

ALTER TABLE shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE shares FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON shares
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- One row per visitor session that viewed a share: a view is counted once per visitor.
CREATE TABLE share_views (
    share_id uuid NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    visitor text NOT NULL,
    viewed_at timestamptz NOT NULL,
    PRIMARY KEY (share_id, visitor)
);

-- Presets: named generation settings (JSON: model, width, height, steps, cfgScale, scheduler,
-- negativePrompt, tags). A user's own, and admin-published ones shown to the plans in plan_ids
-- (comma-separated), one of which may be the default for a model.
CREATE TABLE presets (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    settings text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX ix_presets_user ON presets (user_id, id);

ALTER TABLE presets ENABLE ROW LEVEL SECURITY;
ALTER TABLE presets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON presets
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

CREATE TABLE shared_presets (
    id uuid NOT NULL PRIMARY KEY,
    name text NOT NULL,
    settings text NOT NULL,
    plan_ids text NOT NULL,
    default_for_model text NULL,
    created_by uuid NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Users: an optional retention rule (trash unstarred images older than this many days); deleted_at
-- marks an account deleted on request: the row stays only as the anonymised owner of its ledger.
ALTER TABLE users ADD COLUMN retention_days integer NULL;
ALTER TABLE users ADD COLUMN deleted_at timestamptz NULL;

-- Data exports: a ZIP of the account's data built in the background, downloadable for 7 days.
CREATE TABLE data_exports (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired')),
    progress integer NOT NULL DEFAULT 0,
    bytes bigint NOT NULL DEFAULT 0,
    object_key text NULL,
    error text NULL,
    created_at timestamptz NOT NULL,
    started_at timestamptz NULL,
    finished_at timestamptz NULL,
    expires_at timestamptz NULL
);
CREATE INDEX ix_data_exports_user ON data_exports (user_id, id);
CREATE INDEX ix_data_exports_status ON data_exports (status);

ALTER TABLE data_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE data_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON data_exports
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));
