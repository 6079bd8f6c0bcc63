-- A GETBACK item extracted from an imported meeting row was opened on the
-- meeting's day, not on the day of the import, so that digests, trends and
-- ages read it as history (storage/sqlite's migration 12). Noon UTC is
-- that same day in every US state and territory.
UPDATE getbacks g SET created_at = (m.date + time '12:00') AT TIME ZONE 'UTC'
	FROM meetings m
	WHERE m.id = g.meeting_id AND m.source_key IS NOT NULL AND m.date IS NOT NULL
	AND (g.assigned_by = 'import' OR g.created_at = m.created_at);
