-- The delivery outbox: every scheduled post is written here, under an
-- idempotency key, before it is sent. And the scheduler's checkpoints.

CREATE TABLE outbox (
	id           INTEGER PRIMARY KEY,
	key          TEXT NOT NULL UNIQUE,
	platform     TEXT NOT NULL,           -- the workspace's platform, which sends it
	workspace    TEXT NOT NULL,
	channel      TEXT NOT NULL DEFAULT '',
	user_id      TEXT NOT NULL DEFAULT '',
	reply        TEXT NOT NULL,            -- bot.Reply as JSON
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead', 'skipped')),
	attempts     INTEGER NOT NULL DEFAULT 0,
	next_attempt TEXT NOT NULL,
	last_error   TEXT NOT NULL DEFAULT '',
	parts_sent   INTEGER NOT NULL DEFAULT 0,
	ref_channel  TEXT NOT NULL DEFAULT '',
	ref_id       TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	sent_at      TEXT
);
CREATE INDEX outbox_pending ON outbox (platform, next_attempt, id) WHERE status = 'pending';
CREATE INDEX outbox_status ON outbox (status, id);

CREATE TABLE checkpoints (
	name TEXT PRIMARY KEY,
	at   TEXT NOT NULL
);
