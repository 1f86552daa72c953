-- Base schema. Times are UTC text in RFC 3339 ('2019-08-27T01:00:00Z'),
-- which sorts lexically; window dates are Asia/Shanghai calendar dates
-- ('2019-08-27'); lists are JSON arrays of strings.

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT NOT NULL UNIQUE,
    kind                 TEXT NOT NULL DEFAULT 'auto' CHECK (kind IN ('auto', 'list', 'notice', 'digest')),
    name                 TEXT NOT NULL DEFAULT '',
    region               TEXT NOT NULL DEFAULT '',
    issuer               TEXT NOT NULL DEFAULT '',
    schedule             TEXT NOT NULL DEFAULT '',
    links_selector       TEXT NOT NULL DEFAULT '',
    max_pages            INTEGER NOT NULL DEFAULT 0,
    allow_hosts          TEXT NOT NULL DEFAULT '[]',
    paused               INTEGER NOT NULL DEFAULT 0,
    next_check_at        TEXT,
    etag                 TEXT NOT NULL DEFAULT '',
    last_modified        TEXT NOT NULL DEFAULT '',
    last_checked_at      TEXT,
    last_success_at      TEXT,
    last_error           TEXT NOT NULL DEFAULT '',
    last_error_at        TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    links_found          INTEGER NOT NULL DEFAULT 0,
    flag                 TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL
);

CREATE INDEX sources_next_check ON sources (paused, next_check_at);

CREATE TABLE notices (
    id                INTEGER PRIMARY KEY,
    url               TEXT NOT NULL UNIQUE,
    source_id         INTEGER REFERENCES sources (id) ON DELETE SET NULL,
    title             TEXT NOT NULL DEFAULT '',
    issuer            TEXT NOT NULL DEFAULT '',
    doc_number        TEXT NOT NULL DEFAULT '',
    region            TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL DEFAULT '',
    published         TEXT,
    text              TEXT NOT NULL DEFAULT '',
    content_hash      TEXT NOT NULL DEFAULT '',
    application_url   TEXT NOT NULL DEFAULT '',
    extends_notice_id INTEGER REFERENCES notices (id) ON DELETE SET NULL,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone')),
    first_seen_at     TEXT NOT NULL,
    last_seen_at      TEXT NOT NULL
);

CREATE INDEX notices_source ON notices (source_id);

CREATE TABLE windows (
    id             INTEGER PRIMARY KEY,
    notice_id      INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    -- key identifies a window within its notice across re-extractions.
    key            TEXT NOT NULL,
    label          TEXT NOT NULL DEFAULT '',
    opens          TEXT,
    closes         TEXT,
    closes_time    TEXT,
    evidence       TEXT NOT NULL DEFAULT '',
    evidence_start INTEGER NOT NULL DEFAULT 0,
    evidence_end   INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn', 'gone')),
    revision       INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (notice_id, key)
);

CREATE INDEX windows_closes ON windows (closes);

CREATE TABLE window_changes (
    id              INTEGER PRIMARY KEY,
    window_id       INTEGER NOT NULL REFERENCES windows (id) ON DELETE CASCADE,
    changed_at      TEXT NOT NULL,
    old_opens       TEXT,
    old_closes      TEXT,
    old_closes_time TEXT,
    new_opens       TEXT,
    new_closes      TEXT,
    new_closes_time TEXT,
    reason          TEXT NOT NULL DEFAULT ''
);

CREATE INDEX window_changes_window ON window_changes (window_id);

CREATE TABLE subscribers (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name              TEXT NOT NULL DEFAULT '',
    regions           TEXT NOT NULL DEFAULT '[]',
    issuers           TEXT NOT NULL DEFAULT '[]',
    keywords          TEXT NOT NULL DEFAULT '[]',
    -- Lead times as JSON arrays of durations ("3d", "0d"); '' = the configured defaults.
    lead_open         TEXT NOT NULL DEFAULT '',
    lead_close        TEXT NOT NULL DEFAULT '',
    digest            TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily', 'weekly')),
    status            TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active', 'unsubscribed')),
    feed_token        TEXT NOT NULL UNIQUE,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    created_at        TEXT NOT NULL,
    confirmed_at      TEXT,
    last_digest_at    TEXT
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    -- dedup_key names one reminder ("w12/s3/close/3d"): a reminder is planned once.
    dedup_key       TEXT NOT NULL UNIQUE,
    subscriber_id   INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,
    window_id       INTEGER REFERENCES windows (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('open', 'close', 'correction', 'digest', 'admin')),
    lead            TEXT NOT NULL DEFAULT '',
    due_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    created_at      TEXT NOT NULL
);

CREATE INDEX deliveries_due ON deliveries (status, due_at);
