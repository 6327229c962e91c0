-- Gallery search on PostgreSQL, second shape (docs/benchmarks.md "Issue 12: gallery search").
-- images has a FORCED row-level security policy, and PostgreSQL lets a query's condition into an
-- index below a policy only when its operator is leakproof; LIKE and every GIN operator are not,
-- so the trigram index of 0024 was never used and a search that matched little read all the
-- user's images. The text index lives here instead, in a side table with NO policy:
--   * it holds only ids, the owner's id and the normalised search text, copied by the triggers
--     below in the same transaction as the images row (no code path can forget it);
--   * every query of it names user_id (Gallery/ImageSearch.Postgres.cs), and the ids it yields are
--     read back from images, where the policy still applies: no other tenant's row can come out
--     even if a query forgot its user_id (RowLevelSecurityTests names this table as the exception);
--   * btree_gin puts user_id and the trigrams in one GIN index, so a rare term costs the user's
--     few matches, not everyone's. (btree_gin and pg_trgm are trusted extensions: the app's
--     non-superuser role may create them.)
-- SQLite has no row-level security and searches its FTS5 table (0024), so it has no such table.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE TABLE image_search (
    image_id uuid PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    search_text text NOT NULL
);

CREATE FUNCTION pingvas_image_search_copy() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO image_search (image_id, user_id, search_text) VALUES (NEW.id, NEW.user_id, NEW.search_text);
    ELSE
        UPDATE image_search SET search_text = NEW.search_text WHERE image_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

-- An image's owner never changes; its text changes with its tags (ImageTagSets), and a deleted
-- image's row goes with it (ON DELETE CASCADE).
CREATE TRIGGER images_search_insert AFTER INSERT ON images
    FOR EACH ROW EXECUTE FUNCTION pingvas_image_search_copy();
CREATE TRIGGER images_search_update AFTER UPDATE OF search_text ON images
    FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) EXECUTE FUNCTION pingvas_image_search_copy();

-- The migration runs in system context, so this copies every tenant's images.
INSERT INTO image_search (image_id, user_id, search_text) SELECT id, user_id, search_text FROM images;

-- Two indexes, for the two ways Gallery/ImageSearch.Postgres.cs asks: the trigram one for "all the
-- user's images holding these terms" (rare terms), and a covering B-tree for "the user's images in
-- id order, testing the text as it goes" (common or short terms: an index-only walk, about 1 µs a
-- row, that stops at a page).
CREATE INDEX ix_image_search_user_text ON image_search USING gin (user_id, search_text gin_trgm_ops);
CREATE INDEX ix_image_search_user ON image_search (user_id, image_id) INCLUDE (search_text);

DROP INDEX ix_images_search_trgm;
