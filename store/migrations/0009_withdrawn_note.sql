-- A note to the subscribers who were reminded of a window that was later
-- withdrawn (its notice re-read without it, or taken down): deliveries get
-- the kind 'withdrawn'. SQLite cannot change a CHECK constraint in place,
-- so the table is rebuilt with the same columns, rows and indexes.
CREATE TABLE deliveries_new (
    id              INTEGER PRIMARY KEY,
    dedup_key       TEXT NOT NULL UNIQUE,
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    window_id       INTEGER REFERENCES windows (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('open', 'close', 'correction', 'withdrawn', 'digest', 'admin')),
    lead            TEXT NOT NULL DEFAULT '',
    due_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    created_at      TEXT NOT NULL,
    revision        INTEGER NOT NULL DEFAULT 0,
    event_date      TEXT NOT NULL DEFAULT '',
    source_id       INTEGER REFERENCES sources (id) ON DELETE CASCADE,
    period          TEXT NOT NULL DEFAULT '',
    recipient       TEXT NOT NULL DEFAULT ''
);
INSERT INTO deliveries_new (id, dedup_key, subscriber_id, window_id, kind, lead, due_at, status, attempts, next_attempt_at,
    last_error, message_id, sent_at, created_at, revision, event_date, source_id, period, recipient)
SELECT id, dedup_key, subscriber_id, window_id, kind, lead, due_at, status, attempts, next_attempt_at,
    last_error, message_id, sent_at, created_at, revision, event_date, source_id, period, recipient FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (status, due_at);
CREATE INDEX deliveries_pair ON deliveries (subscriber_id, window_id);
