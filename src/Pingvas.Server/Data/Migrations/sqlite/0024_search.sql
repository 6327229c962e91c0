-- Gallery search; the PostgreSQL script explains the indexes. Terms of three characters or more
-- match through this FTS5 table with the trigram tokenizer (SQLite 3.34+; a quoted phrase matches
-- as a substring, Hangul included), shorter ones with instr() on images.search_text.
-- External content: the text lives only in images, the table indexes it by images.rowid, kept in
-- sync by the triggers below. VACUUM may renumber the rowids of a table without an INTEGER PRIMARY
-- KEY: after a VACUUM, run INSERT INTO images_fts(images_fts) VALUES ('rebuild').
CREATE VIRTUAL TABLE images_fts USING fts5(search_text, content = 'images', content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO images_fts (rowid, search_text) SELECT rowid, search_text FROM images;

CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
    INSERT INTO images_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER images_fts_update AFTER UPDATE OF search_text ON images BEGIN
    INSERT INTO images_fts (images_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO images_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

CREATE INDEX ix_images_user_used ON images (user_id, use_count, id);
CREATE INDEX ix_images_user_trashed ON images (user_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
