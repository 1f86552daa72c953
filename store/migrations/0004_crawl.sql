-- What the tracker keeps per notice for conditional GET and attachments,
-- and per source for warnings and flag incidents.

ALTER TABLE notices ADD COLUMN etag TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN last_modified TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN checked_at TEXT;
-- JSON array of {"url","title","status"}: status "read", or why it was not.
ALTER TABLE notices ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';

-- A note about the last crawl that is not an error (a page cut at the size cap).
ALTER TABLE sources ADD COLUMN warning TEXT NOT NULL DEFAULT '';
-- When the current flag was raised: one incident, one admin alert.
ALTER TABLE sources ADD COLUMN flagged_at TEXT;

CREATE INDEX notices_status ON notices (status);
