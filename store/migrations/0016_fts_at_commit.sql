-- A new notice goes into the full-text index at the end of the transaction
-- that stores it (the store does it, sqlTx.flushFTS), not from a trigger:
-- FTS5 writes its pending terms to disk at every statement that follows in
-- the same transaction, so notices stored together each made a segment of
-- their own, and merging them took most of a large crawl's writing. The
-- update and delete triggers stay.
DROP TRIGGER IF EXISTS notices_fts_insert;
