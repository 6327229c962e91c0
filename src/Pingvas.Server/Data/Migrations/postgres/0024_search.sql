-- Gallery search (docs/gallery.md "Search and filters"; Gallery/ImageSearch.cs). Every term of a
-- query must be a substring of images.search_text (or of the folder's name, matched in code).
--
-- Terms of three characters or more: search_text LIKE '%term%', answered by this trigram index
-- (pg_trgm counts Hangul syllables as word characters under the UTF-8 ctype, so "붉은여" is a
-- trigram of "붉은여우가"). Shorter terms (a 2-syllable Korean word like "여우") have no whole
-- trigram: they walk the user's own images by id (ix_images_user) and test strpos, stopping at a
-- page. Word-based full text (tsvector) is not used: it cannot find "여우" inside "붉은여우가" nor
-- "fox" inside "foxes", and the trigram index already answers whole English words;
-- docs/benchmarks.md "Issue 12: gallery search" has the measurements.
-- Caveat (measured there): images has a FORCED row-level security policy, and PostgreSQL only
-- uses a query's condition in an index below the policy when its operator is leakproof; LIKE is
-- not, so the server's searches never use this index and walk the user's images instead. The
-- options (a search side table, etc.) are listed in docs/benchmarks.md for the lead to choose.
CREATE INDEX ix_images_search_trgm ON images USING gin (search_text gin_trgm_ops);

-- "Most used" pages a user's images by (use_count desc, id desc); the trash pages a user's
-- trashed images by (deleted_at desc, id desc). Newest and oldest use ix_images_user (user_id, id).
CREATE INDEX ix_images_user_used ON images (user_id, use_count, id);
CREATE INDEX ix_images_user_trashed ON images (user_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
