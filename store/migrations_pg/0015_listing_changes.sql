-- Feeds keep the listing of windows in memory. After a change they read
-- what changed since the version they hold instead of the whole listing
-- again: each window carries the listing version of its last change (its
-- own, or its notice's), and a removed window leaves its id behind.
--
-- A window's version is taken under the counter's row lock, held to the
-- end of its transaction, so versions are committed in order: a reader
-- that sees version N sees every change numbered N or lower.
ALTER TABLE windows ADD COLUMN listed_v BIGINT NOT NULL DEFAULT 0;
CREATE INDEX windows_listed_v ON windows (listed_v);
CREATE TABLE listing_removed (
    window_id BIGINT NOT NULL,
    v         BIGINT NOT NULL
);
CREATE INDEX listing_removed_v ON listing_removed (v);

DROP TRIGGER windows_version_insert ON windows;
DROP TRIGGER windows_version_update ON windows;
DROP TRIGGER notices_version_update ON notices;

CREATE FUNCTION listing_mark_window() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing' RETURNING n INTO NEW.listed_v;
    RETURN NEW;
END $$;
CREATE TRIGGER windows_listing_insert BEFORE INSERT ON windows FOR EACH ROW
    EXECUTE FUNCTION listing_mark_window();
-- listed_v set by hand (the notice trigger below) asks for a new version.
CREATE TRIGGER windows_listing_update BEFORE UPDATE ON windows FOR EACH ROW
    WHEN (OLD.label IS DISTINCT FROM NEW.label OR OLD.opens IS DISTINCT FROM NEW.opens
      OR OLD.closes IS DISTINCT FROM NEW.closes OR OLD.closes_time IS DISTINCT FROM NEW.closes_time
      OR OLD.evidence IS DISTINCT FROM NEW.evidence OR OLD.status IS DISTINCT FROM NEW.status
      OR OLD.revision IS DISTINCT FROM NEW.revision OR OLD.notice_id IS DISTINCT FROM NEW.notice_id
      OR OLD.updated_at IS DISTINCT FROM NEW.updated_at OR OLD.listed_v IS DISTINCT FROM NEW.listed_v)
    EXECUTE FUNCTION listing_mark_window();

CREATE FUNCTION listing_remove_window() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bumped BIGINT;
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing' RETURNING n INTO bumped;
    INSERT INTO listing_removed (window_id, v) VALUES (OLD.id, bumped);
    RETURN NULL;
END $$;
CREATE TRIGGER windows_listing_delete AFTER DELETE ON windows FOR EACH ROW
    EXECUTE FUNCTION listing_remove_window();

CREATE FUNCTION listing_mark_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
    UPDATE windows SET listed_v = -1 WHERE notice_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER notices_version_update AFTER UPDATE ON notices FOR EACH ROW
    WHEN (OLD.url IS DISTINCT FROM NEW.url OR OLD.title IS DISTINCT FROM NEW.title
      OR OLD.issuer IS DISTINCT FROM NEW.issuer OR OLD.region IS DISTINCT FROM NEW.region
      OR OLD.status IS DISTINCT FROM NEW.status OR OLD.text IS DISTINCT FROM NEW.text)
    EXECUTE FUNCTION listing_mark_notice();
