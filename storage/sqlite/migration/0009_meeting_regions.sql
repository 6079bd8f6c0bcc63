-- The regions a meeting belongs to besides its own (meetings.region, its
-- first state's): a meeting about states of several regions shows in each
-- one's lists and digests. Workspace and date are copied, as in
-- meeting_states, so that a region's week is read off one index.
-- Existing multi-state meetings are filled in by the migration's Go step.
CREATE TABLE meeting_regions (
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	region     INTEGER NOT NULL CHECK (region BETWEEN 1 AND 10),
	workspace  TEXT NOT NULL,
	date       TEXT,
	PRIMARY KEY (meeting_id, region)
) WITHOUT ROWID;
CREATE INDEX meeting_regions_ws_region_date ON meeting_regions (workspace, region, date, meeting_id);
