-- Uploads (Uploads/): images a user sends to start a job from (img2img, inpaint mask, upscale
-- source). The bytes live in the object store under an unguessable key; the row carries what the
-- server checked when it decoded them, and its size counts in the owner's storage.
CREATE TABLE uploads (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    object_key TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('png', 'webp', 'jpeg')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
-- The owner's list, newest first, and the storage sum.
CREATE INDEX ix_uploads_user ON uploads (user_id, id);

-- Job kinds. The input ids have no foreign key on purpose: a finished job keeps naming the upload
-- it started from after the owner deleted it (deletion is refused only while a job still needs it).
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'txt2img' CHECK (kind IN ('txt2img', 'img2img', 'inpaint', 'upscale'));
ALTER TABLE jobs ADD COLUMN init_image_id TEXT NULL;
ALTER TABLE jobs ADD COLUMN mask_image_id TEXT NULL;
ALTER TABLE jobs ADD COLUMN strength REAL NULL;
ALTER TABLE jobs ADD COLUMN upscale_scale INTEGER NULL;
