-- Deliveries are looked up by window (the live windows' reminders, those
-- of withdrawn windows): an index, so that planning reads what concerns
-- the windows in play and not every delivery ever made.
CREATE INDEX deliveries_window ON deliveries (window_id, status);
