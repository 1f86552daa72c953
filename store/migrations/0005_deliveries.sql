-- What a delivery announces, so that reminders can be replanned and
-- corrected when a window moves, and digests and admin alerts keyed.

-- The window's revision when the reminder was planned.
ALTER TABLE deliveries ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- The date the reminder announces (the opening or closing day).
ALTER TABLE deliveries ADD COLUMN event_date TEXT NOT NULL DEFAULT '';
-- Admin alerts: the flagged source.
ALTER TABLE deliveries ADD COLUMN source_id INTEGER REFERENCES sources (id) ON DELETE CASCADE;
-- Digests: the period covered ("2019-09-05" or "2019-W36").
ALTER TABLE deliveries ADD COLUMN period TEXT NOT NULL DEFAULT '';
-- Where an admin alert goes (subscriber-less deliveries).
ALTER TABLE deliveries ADD COLUMN recipient TEXT NOT NULL DEFAULT '';

CREATE INDEX deliveries_pair ON deliveries (subscriber_id, window_id);
