-- The gallery's model filter (GET /images?model=) pages one user's images of one model newest
-- first, and GET /images/models counts a user's images per model: both read this index in its
-- order (user, model, id) instead of every image of the user.
CREATE INDEX ix_images_user_model ON images (user_id, model_id, id);
