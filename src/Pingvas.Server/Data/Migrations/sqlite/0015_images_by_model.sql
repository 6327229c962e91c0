-- The gallery's model filter and per-model counts; the PostgreSQL script explains it.
CREATE INDEX ix_images_user_model ON images (user_id, model_id, id);
