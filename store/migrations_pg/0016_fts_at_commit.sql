-- Nothing to do on PostgreSQL (it has no notices_fts); the number keeps
-- both dialects at one schema version.
SELECT 1;
