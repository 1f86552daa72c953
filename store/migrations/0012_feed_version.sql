-- A counter of changes to what feeds and pages show (windows, and the
-- notice fields a window is listed with or filtered by). A feed's ETag is
-- made from it, so a calendar polling an unchanged feed is answered with a
-- 304 after reading one row, and rendered feeds can be reused until it
-- moves. Triggers keep it, so no write path can forget to.
CREATE TABLE versions (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
);
INSERT INTO versions (name, n) VALUES ('listing', 0);

CREATE TRIGGER windows_version_insert AFTER INSERT ON windows BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
END;
CREATE TRIGGER windows_version_delete AFTER DELETE ON windows BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
END;
CREATE TRIGGER windows_version_update AFTER UPDATE ON windows
WHEN OLD.label IS NOT NEW.label OR OLD.opens IS NOT NEW.opens OR OLD.closes IS NOT NEW.closes
  OR OLD.closes_time IS NOT NEW.closes_time OR OLD.evidence IS NOT NEW.evidence
  OR OLD.status IS NOT NEW.status OR OLD.revision IS NOT NEW.revision OR OLD.notice_id IS NOT NEW.notice_id
  OR OLD.updated_at IS NOT NEW.updated_at
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
END;
CREATE TRIGGER notices_version_update AFTER UPDATE ON notices
WHEN OLD.url IS NOT NEW.url OR OLD.title IS NOT NEW.title OR OLD.issuer IS NOT NEW.issuer
  OR OLD.region IS NOT NEW.region OR OLD.status IS NOT NEW.status OR OLD.text IS NOT NEW.text
BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
END;
CREATE TRIGGER notices_version_delete AFTER DELETE ON notices BEGIN
    UPDATE versions SET n = n + 1 WHERE name = 'listing';
END;
