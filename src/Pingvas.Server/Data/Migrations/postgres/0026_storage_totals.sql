-- Storage running totals (issue 12): the quota check reads two columns of the owner's row instead of
-- summing every image, upload, LoRA and waiting job of the user on each submit and upload.
-- stored_bytes: images (trashed ones too, until purged) + uploads + LoRA files.
-- reserved_bytes: jobs.reserved_bytes of the user's queued and running jobs.
-- Triggers keep both exact in the transaction of the write, so no code path can forget them.
-- users has no row-level security, so a trigger's UPDATE of it works alike in a user's context and
-- in system context (workers settle jobs, sweeps purge); the rows it reads are the trigger's own.
-- Every writer below already holds the owner's lock (Data/Transactions.LockUserAsync) when it
-- gets here, so the trigger's UPDATE adds no new lock order.
ALTER TABLE users ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN reserved_bytes bigint NOT NULL DEFAULT 0;

-- Inserts and deletes are counted per statement, from the transition table: a purge batch or an
-- account deletion of 100,000 images updates the owner's row once, not once per image (repeated
-- updates of one row in one transaction leave a version each, and each later update walks them).
CREATE FUNCTION pingvas_stored_bytes_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET stored_bytes = u.stored_bytes + a.bytes
    FROM (SELECT user_id, sum(bytes) AS bytes FROM added GROUP BY user_id) a
    WHERE u.id = a.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION pingvas_stored_bytes_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET stored_bytes = u.stored_bytes - r.bytes
    FROM (SELECT user_id, sum(bytes) AS bytes FROM removed GROUP BY user_id) r
    WHERE u.id = r.user_id;
    RETURN NULL;
END $$;

-- The functions above read a column named bytes; images calls it stored_bytes, so images gets its
-- own pair (a trigger function cannot pick a column by name without going through jsonb).
CREATE FUNCTION pingvas_image_bytes_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET stored_bytes = u.stored_bytes + a.bytes
    FROM (SELECT user_id, sum(stored_bytes) AS bytes FROM added GROUP BY user_id) a
    WHERE u.id = a.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION pingvas_image_bytes_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users u SET stored_bytes = u.stored_bytes - r.bytes
    FROM (SELECT user_id, sum(stored_bytes) AS bytes FROM removed GROUP BY user_id) r
    WHERE u.id = r.user_id;
    RETURN NULL;
END $$;

-- A change of an existing row's size or owner (no code path does either today; a hand edit or a
-- future one stays counted). Row-level with a column list and WHEN, so the frequent updates of these
-- tables (trash and restore set deleted_at, a rename sets name) never call it.
CREATE FUNCTION pingvas_image_bytes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.stored_bytes WHERE id = OLD.user_id;
    UPDATE users SET stored_bytes = stored_bytes + NEW.stored_bytes WHERE id = NEW.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION pingvas_stored_bytes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET stored_bytes = stored_bytes - OLD.bytes WHERE id = OLD.user_id;
    UPDATE users SET stored_bytes = stored_bytes + NEW.bytes WHERE id = NEW.user_id;
    RETURN NULL;
END $$;

CREATE TRIGGER images_stored_insert AFTER INSERT ON images
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION pingvas_image_bytes_added();
CREATE TRIGGER images_stored_delete AFTER DELETE ON images
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION pingvas_image_bytes_removed();
CREATE TRIGGER images_stored_update AFTER UPDATE OF stored_bytes, user_id ON images FOR EACH ROW
    WHEN (OLD.stored_bytes <> NEW.stored_bytes OR OLD.user_id <> NEW.user_id) EXECUTE FUNCTION pingvas_image_bytes_changed();

CREATE TRIGGER uploads_stored_insert AFTER INSERT ON uploads
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION pingvas_stored_bytes_added();
CREATE TRIGGER uploads_stored_delete AFTER DELETE ON uploads
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION pingvas_stored_bytes_removed();
CREATE TRIGGER uploads_stored_update AFTER UPDATE OF bytes, user_id ON uploads FOR EACH ROW
    WHEN (OLD.bytes <> NEW.bytes OR OLD.user_id <> NEW.user_id) EXECUTE FUNCTION pingvas_stored_bytes_changed();

CREATE TRIGGER loras_stored_insert AFTER INSERT ON loras
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION pingvas_stored_bytes_added();
CREATE TRIGGER loras_stored_delete AFTER DELETE ON loras
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION pingvas_stored_bytes_removed();
CREATE TRIGGER loras_stored_update AFTER UPDATE OF bytes, user_id ON loras FOR EACH ROW
    WHEN (OLD.bytes <> NEW.bytes OR OLD.user_id <> NEW.user_id) EXECUTE FUNCTION pingvas_stored_bytes_changed();

-- Jobs: what a job holds is its reserved_bytes while queued or running, else nothing. Row-level, and
-- the WHEN clause compares what the job held before and after, so the claim (queued → running, the
-- hot path), progress and lease renewals hold the same and never call the function; submit,
-- settle, cancel, fail and a requeue that changes nothing held do. The claim's statement also
-- updates the owner's row (last_served_at) and must not update it twice.
CREATE FUNCTION pingvas_job_holds(status text, reserved bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN status IN ('queued', 'running') THEN reserved ELSE 0 END $$;

CREATE FUNCTION pingvas_reserved_bytes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE users SET reserved_bytes = reserved_bytes - pingvas_job_holds(OLD.status, OLD.reserved_bytes) WHERE id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE users SET reserved_bytes = reserved_bytes + pingvas_job_holds(NEW.status, NEW.reserved_bytes) WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER jobs_reserved_insert AFTER INSERT ON jobs FOR EACH ROW
    WHEN (pingvas_job_holds(NEW.status, NEW.reserved_bytes) <> 0) EXECUTE FUNCTION pingvas_reserved_bytes_changed();
CREATE TRIGGER jobs_reserved_update AFTER UPDATE OF status, reserved_bytes, user_id ON jobs FOR EACH ROW
    WHEN (pingvas_job_holds(OLD.status, OLD.reserved_bytes) <> pingvas_job_holds(NEW.status, NEW.reserved_bytes) OR OLD.user_id <> NEW.user_id)
    EXECUTE FUNCTION pingvas_reserved_bytes_changed();
CREATE TRIGGER jobs_reserved_delete AFTER DELETE ON jobs FOR EACH ROW
    WHEN (pingvas_job_holds(OLD.status, OLD.reserved_bytes) <> 0) EXECUTE FUNCTION pingvas_reserved_bytes_changed();

-- Back-filled after the triggers exist: CREATE TRIGGER locks the four tables against writes until
-- this script commits, so no write falls between the sums and the triggers.
UPDATE users u SET
    stored_bytes = coalesce((SELECT sum(stored_bytes) FROM images WHERE user_id = u.id), 0)
        + coalesce((SELECT sum(bytes) FROM uploads WHERE user_id = u.id), 0)
        + coalesce((SELECT sum(bytes) FROM loras WHERE user_id = u.id), 0),
    reserved_bytes = coalesce((SELECT sum(reserved_bytes) FROM jobs WHERE user_id = u.id AND status IN ('queued', 'running')), 0);
