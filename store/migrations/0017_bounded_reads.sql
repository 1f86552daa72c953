-- Reads that stop at a limit, or a listing from a day, read the windows
-- that only open (no closing day) through windows_closes (closes IS NULL):
-- every such window ever stored, then sorted by opening. This index walks
-- them from a day in order of opening instead, so those reads cost what
-- they return. Its condition carries the unary + that the queries put on
-- closes (WindowFilter.where): SQLite uses a partial index only for a
-- query whose WHERE holds the index's condition, and the + keeps the
-- planner off windows_closes's NULL entries.
CREATE INDEX windows_opens_only ON windows (opens, id) WHERE +closes IS NULL;
-- The pages' region choice reads the distinct regions of the sources by
-- skipping through this index (SourceRegions), not every source.
CREATE INDEX sources_region ON sources (region);
