-- A confirmation link has its own token, good once and only while the
-- address is pending (an old link must not re-activate an address that
-- unsubscribed); confirm_sent_at limits confirmation mails per address.
ALTER TABLE subscribers ADD COLUMN confirm_token TEXT;
ALTER TABLE subscribers ADD COLUMN confirm_sent_at TEXT;
CREATE UNIQUE INDEX subscribers_confirm_token ON subscribers (confirm_token) WHERE confirm_token IS NOT NULL;

-- Server secrets (the CSRF key), made once and kept with the data they
-- protect, so that every daemon on this database agrees on them.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
