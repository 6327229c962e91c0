-- Storage running totals; the PostgreSQL script explains them. SQLite triggers are per row; the
-- write lock of the transaction is the database's, so a purge of many rows costs page writes only.
ALTER TABLE users ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reserved_bytes INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER images_stored_insert AFTER INSERT ON images BEGIN
    UPDATE users SET stored_bytes = stored_bytes + NEW.stored_bytes WHERE id = NEW.user_id;
END;
CREATE TRIGGER images_stored_delete AFTER DELETE ON images BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.stored_bytes WHERE id = OLD.user_id;
END;
CREATE TRIGGER images_stored_update AFTER UPDATE OF stored_bytes, user_id ON images
    WHEN OLD.stored_bytes <> NEW.stored_bytes OR OLD.user_id <> NEW.user_id BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.stored_bytes WHERE id = OLD.user_id;
    UPDATE users SET stored_bytes = stored_bytes + NEW.stored_bytes WHERE id = NEW.user_id;
END;

CREATE TRIGGER uploads_stored_insert AFTER INSERT ON uploads BEGIN
    UPDATE users SET stored_bytes = stored_bytes + NEW.bytes WHERE id = NEW.user_id;
END;
CREATE TRIGGER uploads_stored_delete AFTER DELETE ON uploads BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.bytes WHERE id = OLD.user_id;
END;
CREATE TRIGGER uploads_stored_update AFTER UPDATE OF bytes, user_id ON uploads
    WHEN OLD.bytes <> NEW.bytes OR OLD.user_id <> NEW.user_id BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.bytes WHERE id = OLD.user_id;
    UPDATE users SET stored_bytes = stored_bytes + NEW.bytes WHERE id = NEW.user_id;
END;

CREATE TRIGGER loras_stored_insert AFTER INSERT ON loras BEGIN
    UPDATE users SET stored_bytes = stored_bytes + NEW.bytes WHERE id = NEW.user_id;
END;
CREATE TRIGGER loras_stored_delete AFTER DELETE ON loras BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.bytes WHERE id = OLD.user_id;
END;
CREATE TRIGGER loras_stored_update AFTER UPDATE OF bytes, user_id ON loras
    WHEN OLD.bytes <> NEW.bytes OR OLD.user_id <> NEW.user_id BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.bytes WHERE id = OLD.user_id;
    UPDATE users SET stored_bytes = stored_bytes + NEW.bytes WHERE id = NEW.user_id;
END;

-- A job holds its reserved_bytes while queued or running; the WHEN clauses compare what it holds
-- before and after, so the claim (queued → running), progress and lease renewals do nothing.
CREATE TRIGGER jobs_reserved_insert AFTER INSERT ON jobs
    WHEN NEW.status IN ('queued', 'running') AND NEW.reserved_bytes <> 0 BEGIN
    UPDATE users SET reserved_bytes = reserved_bytes + NEW.reserved_bytes WHERE id = NEW.user_id;
END;
CREATE TRIGGER jobs_reserved_update AFTER UPDATE OF status, reserved_bytes, user_id ON jobs
    WHEN (CASE WHEN OLD.status IN ('queued', 'running') THEN OLD.reserved_bytes ELSE 0 END)
        <> (CASE WHEN NEW.status IN ('queued', 'running') THEN NEW.reserved_bytes ELSE 0 END)
        OR OLD.user_id <> NEW.user_id BEGIN
    UPDATE users SET reserved_bytes = reserved_bytes - (CASE WHEN OLD.status IN ('queued', 'running') THEN OLD.reserved_bytes ELSE 0 END)
        WHERE id = OLD.user_id;
    UPDATE users SET reserved_bytes = reserved_bytes + (CASE WHEN NEW.status IN ('queued', 'running') THEN NEW.reserved_bytes ELSE 0 END)
        WHERE id = NEW.user_id;
END;
CREATE TRIGGER jobs_reserved_delete AFTER DELETE ON jobs
    WHEN OLD.status IN ('queued', 'running') AND OLD.reserved_bytes <> 0 BEGIN
    UPDATE users SET reserved_bytes = reserved_bytes - OLD.reserved_bytes WHERE id = OLD.user_id;
END;

UPDATE users SET
    stored_bytes = coalesce((SELECT sum(stored_bytes) FROM images WHERE user_id = users.id), 0)
        + coalesce((SELECT sum(bytes) FROM uploads WHERE user_id = users.id), 0)
        + coalesce((SELECT sum(bytes) FROM loras WHERE user_id = users.id), 0),
    reserved_bytes = coalesce((SELECT sum(reserved_bytes) FROM jobs WHERE user_id = users.id AND status IN ('queued', 'running')), 0);
