-- Feeds keep the listing of windows in memory. After a change they read
-- what changed since the version they hold instead of the whole listing
-- again: each window carries the listing version of its last change (its
-- own, or its notice's), and a removed window leaves its id behind.
ALTER TABLE windows ADD COLUMN listed_v INTEGER NOT NULL DEFAULT 0;
CREATE INDEX windows_listed_v ON windows (listed_v);
CREATE TABLE listing_removed (
    window_id INTEGER NOT NULL,
    v         INTEGER NOT NULL
);
CREATE INDEX listing_removed_v ON listing_removed (v);

DROP TRIGGER windows_version_insert;
CREATE TRIGGER windows_version_insert AFTER INSERT ON windows BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
    UPDATE windows SET listed_v = (SELECT n FROM versions WHERE name = 'listing') WHERE id = NEW.id;
END;
DROP TRIGGER windows_version_delete;
CREATE TRIGGER windows_version_delete AFTER DELETE ON windows BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
    INSERT INTO listing_removed (window_id, v) SELECT OLD.id, n FROM versions WHERE name = 'listing';
END;
DROP TRIGGER windows_version_update;
CREATE TRIGGER windows_version_update AFTER UPDATE ON windows
WHEN OLD.label IS NOT NEW.label OR OLD.opens IS NOT NEW.opens OR OLD.closes IS NOT NEW.closes
  OR OLD.closes_time IS NOT NEW.closes_time OR OLD.evidence IS NOT NEW.evidence
  OR OLD.status IS NOT NEW.status OR OLD.revision IS NOT NEW.revision OR OLD.notice_id IS NOT NEW.notice_id
  OR OLD.updated_at IS NOT NEW.updated_at
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
    UPDATE windows SET listed_v = (SELECT n FROM versions WHERE name = 'listing') WHERE id = NEW.id;
END;
DROP TRIGGER notices_version_update;
CREATE TRIGGER notices_version_update AFTER UPDATE ON notices
WHEN OLD.url IS NOT NEW.url OR OLD.title IS NOT NEW.title OR OLD.issuer IS NOT NEW.issuer
  OR OLD.region IS NOT NEW.region OR OLD.status IS NOT NEW.status OR OLD.text IS NOT NEW.text
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
    UPDATE windows SET listed_v = (SELECT n FROM versions WHERE name = 'listing') WHERE notice_id = NEW.id;
END;
