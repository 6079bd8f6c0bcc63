-- Indexes that let a regional digest read its figures off indexes instead
-- of joining and scanning the whole history.

-- A getback carries the region of the meeting it came from, so regional
-- counts and lists need no join. Items added without a meeting have none.
-- The index also covers owner, so "overdue by owner" reads only the index.
ALTER TABLE getbacks ADD COLUMN region INTEGER;
UPDATE getbacks SET region = (SELECT region FROM meetings WHERE meetings.id = getbacks.meeting_id);
CREATE INDEX getbacks_ws_region_status_duekey ON getbacks (workspace, region, status, due_key, owner, owner_kind);
CREATE INDEX getbacks_ws_region_created ON getbacks (workspace, region, created_at);
CREATE INDEX getbacks_ws_region_done ON getbacks (workspace, region, done_at) WHERE done_at IS NOT NULL;

-- Upcoming engagements by region.
CREATE INDEX meetings_ws_region_next ON meetings (workspace, region, next_date) WHERE next_date IS NOT NULL;

-- The latest meeting per state (coverage gaps) is one index seek when each
-- state tag carries its meeting's workspace and date.
ALTER TABLE meeting_states ADD COLUMN workspace TEXT NOT NULL DEFAULT '';
ALTER TABLE meeting_states ADD COLUMN date TEXT;
UPDATE meeting_states SET workspace = (SELECT workspace FROM meetings WHERE meetings.id = meeting_states.meeting_id),
	date = (SELECT date FROM meetings WHERE meetings.id = meeting_states.meeting_id);
CREATE INDEX meeting_states_ws_state_date ON meeting_states (workspace, state, date);
DROP INDEX meeting_states_state;
