-- Windows that only open (no closing day), walked from a day in order of
-- opening by reads that stop at a limit (see the SQLite migration of the
-- same number), and the sources' regions, read by skipping through an
-- index (SourceRegions).
CREATE INDEX windows_opens_only ON windows (opens, id) WHERE closes IS NULL;
CREATE INDEX sources_region ON sources (region);
