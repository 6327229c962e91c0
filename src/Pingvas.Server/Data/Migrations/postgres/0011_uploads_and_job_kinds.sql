-- Uploads (Uploads/): images a user sends to start a job from (img2img, inpaint mask, upscale
-- source). The bytes live in the object store under an unguessable key; the row carries what the
-- server checked when it decoded them, and its size counts in the owner's storage.
CREATE TABLE uploads (
    id uuid NOT NULL PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    object_key text NOT NULL,
    format text NOT NULL CHECK (format IN ('png', 'webp', 'jpeg')),
    width integer NOT NULL,
    height integer NOT NULL,
    bytes bigint NOT NULL,
    created_at timestamptz NOT NULL
);
-- The owner's list, newest first, and the storage sum.
CREATE INDEX ix_uploads_user ON uploads (user_id, id);

ALTER TABLE uploads ENABLE ROW LEVEL SECURITY;
ALTER TABLE uploads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON uploads
    USING (pingvas_tenant_allows(user_id)) WITH CHECK (pingvas_tenant_allows(user_id));

-- Job kinds. The input ids have no foreign key on purpose: a finished job keeps naming the upload
-- it started from after the owner deleted it (deletion is refused only while a job still needs it).
ALTER TABLE jobs ADD COLUMN kind text NOT NULL DEFAULT 'txt2img' CHECK (kind IN ('txt2img', 'img2img', 'inpaint', 'upscale'));
ALTER TABLE jobs ADD COLUMN init_image_id uuid NULL;
ALTER TABLE jobs ADD COLUMN mask_image_id uuid NULL;
ALTER TABLE jobs ADD COLUMN strength double precision NULL;
ALTER TABLE jobs ADD COLUMN upscale_scale integer NULL;
