-- The full-text index is now kept in step by the store's own statements
-- instead of row triggers: a trigger makes FTS5 flush its pending index data
-- at every statement, which made bulk imports write thousands of tiny index
-- segments. A batch of meetings is now indexed by one statement.
DROP TRIGGER meetings_fts_insert;
DROP TRIGGER meetings_fts_delete;
DROP TRIGGER meetings_fts_update;
