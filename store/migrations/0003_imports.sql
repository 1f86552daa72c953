-- Policy digests imported with `grantwatch import`: each file once (by
-- content hash); notices found in one remember it.

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,
    items       INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL
);

ALTER TABLE notices ADD COLUMN import_id INTEGER REFERENCES imports (id) ON DELETE SET NULL;
