-- Full-text search over notice titles and texts. The trigram tokenizer
-- matches any substring of three or more characters, which suits Chinese (no
-- word breaks); shorter queries fall back to LIKE in the store.

CREATE VIRTUAL TABLE notices_fts USING fts5 (
    title, text,
    content = 'notices', content_rowid = 'id',
    tokenize = 'trigram'
);

-- Index the notices that existed before this migration.
INSERT INTO notices_fts (notices_fts) VALUES ('rebuild');

CREATE TRIGGER notices_fts_insert AFTER INSERT ON notices BEGIN
    INSERT INTO notices_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TRIGGER notices_fts_delete AFTER DELETE ON notices BEGIN
    INSERT INTO notices_fts (notices_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;

CREATE TRIGGER notices_fts_update AFTER UPDATE OF title, text ON notices BEGIN
    INSERT INTO notices_fts (notices_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO notices_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
