-- Notice pages a source links to that could not be fetched (a 5xx, a
-- timeout): tried again at every check of their source, whether or not its
-- list changed, until they answer; `status` lists those that keep failing.
CREATE TABLE fetch_failures (
    url             TEXT PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    title           TEXT NOT NULL DEFAULT '',
    published       TEXT NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    first_failed_at TEXT NOT NULL,
    last_failed_at  TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fetch_failures_source ON fetch_failures (source_id);
