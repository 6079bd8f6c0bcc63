-- What several replicas on one database need.
-- A sender claims outbox items before posting them: claim_owner holds them
-- until claimed_until, when another sender may take them over.
ALTER TABLE outbox ADD COLUMN claim_owner text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN claimed_until timestamptz;
CREATE INDEX outbox_pending_target ON outbox (workspace, channel, user_id, claimed_until) WHERE status = 'pending';
-- When a post to each target last began, by any replica: pacing per
-- channel holds across replicas.
CREATE TABLE outbox_targets (
	workspace    text NOT NULL,
	channel      text NOT NULL,
	user_id      text NOT NULL,
	last_post_at timestamptz NOT NULL,
	PRIMARY KEY (workspace, channel, user_id)
);
-- Who is working on the period after a checkpoint (the scheduler's
-- planning), until when.
CREATE TABLE checkpoint_claims (
	name  text PRIMARY KEY,
	owner text NOT NULL,
	until timestamptz NOT NULL
);
