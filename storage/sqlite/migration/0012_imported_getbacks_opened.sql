-- A GETBACK item extracted from an imported meeting row was opened on the
-- meeting's day, not on the day of the import, so that digests, trends and
-- ages read it as history. Noon UTC is that same day in every US state and
-- territory. Such items were created with their meeting (the same
-- instant) or, on a later import, by the import.
UPDATE getbacks SET created_at = (SELECT m.date || 'T12:00:00.000000Z' FROM meetings m WHERE m.id = getbacks.meeting_id)
	WHERE meeting_id IN (SELECT id FROM meetings WHERE source_key IS NOT NULL AND date IS NOT NULL)
	AND (assigned_by = 'import' OR created_at = (SELECT m.created_at FROM meetings m WHERE m.id = getbacks.meeting_id));
