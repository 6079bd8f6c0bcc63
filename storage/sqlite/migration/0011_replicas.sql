-- What several getback processes on one store need.
-- A sender claims outbox items before posting them: claim_owner holds them
-- until claimed_until, when another sender may take them over.
ALTER TABLE outbox ADD COLUMN claim_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
CREATE INDEX outbox_pending_target ON outbox (workspace, channel, user_id, claimed_until) WHERE status = 'pending';
-- When a post to each target last began, by any sender: pacing per channel
-- holds across processes.
CREATE TABLE outbox_targets (
	workspace    TEXT NOT NULL,
	channel      TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	last_post_at TEXT NOT NULL,
	PRIMARY KEY (workspace, channel, user_id)
) WITHOUT ROWID;
-- Who is working on the period after a checkpoint (the scheduler's
-- planning), until when.
CREATE TABLE checkpoint_claims (
	name  TEXT PRIMARY KEY,
	owner TEXT NOT NULL,
	until TEXT NOT NULL
);
