-- Core schema: meetings (the 13 columns of the legacy weekly summary),
-- getback items, people, regions, owner label mappings and the audit log.

CREATE TABLE meetings (
	id          INTEGER PRIMARY KEY,
	workspace   TEXT NOT NULL,
	region      INTEGER NOT NULL CHECK (region BETWEEN 1 AND 10),
	states      TEXT NOT NULL,            -- canonical names joined by '|'
	location    TEXT NOT NULL DEFAULT '',
	date        TEXT,                     -- YYYY-MM-DD, NULL when unknown
	date_status TEXT NOT NULL DEFAULT '' CHECK (date_status IN ('', 'Pending', 'TBD', 'N/A')),
	poc         TEXT NOT NULL DEFAULT '',
	attendees   TEXT NOT NULL DEFAULT '',
	discussion  TEXT NOT NULL DEFAULT '',
	concerns    TEXT NOT NULL DEFAULT '',
	followup    TEXT NOT NULL DEFAULT '',
	awareness   TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL DEFAULT '',
	next        TEXT NOT NULL DEFAULT '',
	next_date   TEXT,
	notes       TEXT NOT NULL DEFAULT '',
	source_key  TEXT,                     -- imported row identity
	import_hash TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX meetings_source_key ON meetings (workspace, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX meetings_ws_date ON meetings (workspace, date);
CREATE INDEX meetings_ws_region_date ON meetings (workspace, region, date);

-- Every state a meeting is tagged with (several for a multi-state row).
CREATE TABLE meeting_states (
	meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
	state      TEXT NOT NULL,
	PRIMARY KEY (meeting_id, state)
) WITHOUT ROWID;
CREATE INDEX meeting_states_state ON meeting_states (state, meeting_id);

-- Full-text search over the meeting's text, kept in step by triggers.
CREATE VIRTUAL TABLE meetings_fts USING fts5 (
	states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes,
	content = 'meetings', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER meetings_fts_insert AFTER INSERT ON meetings BEGIN
	INSERT INTO meetings_fts (rowid, states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes)
	VALUES (new.id, new.states, new.location, new.poc, new.attendees, new.discussion, new.concerns, new.followup, new.awareness, new.action, new.next, new.notes);
END;
CREATE TRIGGER meetings_fts_delete AFTER DELETE ON meetings BEGIN
	INSERT INTO meetings_fts (meetings_fts, rowid, states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes)
	VALUES ('delete', old.id, old.states, old.location, old.poc, old.attendees, old.discussion, old.concerns, old.followup, old.awareness, old.action, old.next, old.notes);
END;
CREATE TRIGGER meetings_fts_update AFTER UPDATE ON meetings BEGIN
	INSERT INTO meetings_fts (meetings_fts, rowid, states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes)
	VALUES ('delete', old.id, old.states, old.location, old.poc, old.attendees, old.discussion, old.concerns, old.followup, old.awareness, old.action, old.next, old.notes);
	INSERT INTO meetings_fts (rowid, states, location, poc, attendees, discussion, concerns, followup, awareness, action, next, notes)
	VALUES (new.id, new.states, new.location, new.poc, new.attendees, new.discussion, new.concerns, new.followup, new.awareness, new.action, new.next, new.notes);
END;

CREATE TABLE getbacks (
	id            INTEGER PRIMARY KEY,
	workspace     TEXT NOT NULL,
	meeting_id    INTEGER REFERENCES meetings (id) ON DELETE SET NULL,
	number        INTEGER NOT NULL DEFAULT 0 CHECK (number >= 0),
	text          TEXT NOT NULL CHECK (text <> ''),
	owner         TEXT NOT NULL CHECK (owner <> ''),
	owner_kind    TEXT NOT NULL CHECK (owner_kind IN ('user', 'label')),
	assigned_by   TEXT NOT NULL DEFAULT '',
	due           TEXT,
	status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
	done_at       TEXT,
	done_note     TEXT NOT NULL DEFAULT '',
	snoozed_until TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
);
CREATE INDEX getbacks_ws_status_due ON getbacks (workspace, status, due);
CREATE INDEX getbacks_ws_owner_status ON getbacks (workspace, owner, status, due);
CREATE INDEX getbacks_meeting ON getbacks (meeting_id);
CREATE INDEX getbacks_ws_created ON getbacks (workspace, created_at);
CREATE INDEX getbacks_ws_done ON getbacks (workspace, done_at) WHERE done_at IS NOT NULL;

-- Owner labels from the legacy sheet ("ITF", "RD") mapped to chat users.
CREATE TABLE owner_mappings (
	workspace TEXT NOT NULL,
	label     TEXT NOT NULL,
	user_id   TEXT NOT NULL,
	PRIMARY KEY (workspace, label)
);
CREATE INDEX owner_mappings_user ON owner_mappings (workspace, user_id);

CREATE TABLE people (
	workspace     TEXT NOT NULL,
	user_id       TEXT NOT NULL,
	name          TEXT NOT NULL DEFAULT '',
	tz            TEXT NOT NULL DEFAULT '',
	remind_hour   INTEGER NOT NULL DEFAULT 9 CHECK (remind_hour BETWEEN 0 AND 23),
	remind_minute INTEGER NOT NULL DEFAULT 0 CHECK (remind_minute BETWEEN 0 AND 59),
	reminders_off INTEGER NOT NULL DEFAULT 0,
	work_days     INTEGER NOT NULL DEFAULT 62,
	updated_at    TEXT NOT NULL,
	PRIMARY KEY (workspace, user_id)
);

CREATE TABLE regions (
	workspace      TEXT NOT NULL,
	number         INTEGER NOT NULL CHECK (number BETWEEN 0 AND 10),
	name           TEXT NOT NULL,
	channel        TEXT NOT NULL DEFAULT '',
	channel_name   TEXT NOT NULL DEFAULT '',
	tz             TEXT NOT NULL DEFAULT 'UTC',
	digest_day     INTEGER NOT NULL DEFAULT 1 CHECK (digest_day BETWEEN 0 AND 6),
	digest_hour    INTEGER NOT NULL DEFAULT 9 CHECK (digest_hour BETWEEN 0 AND 23),
	coverage_weeks INTEGER NOT NULL DEFAULT 4,
	updated_at     TEXT NOT NULL,
	PRIMARY KEY (workspace, number)
);

-- Per-workspace overrides of the built-in state-to-region table.
CREATE TABLE state_regions (
	workspace TEXT NOT NULL,
	state     TEXT NOT NULL,
	region    INTEGER NOT NULL CHECK (region BETWEEN 1 AND 10),
	PRIMARY KEY (workspace, state)
);

CREATE TABLE audit_log (
	id        INTEGER PRIMARY KEY,
	workspace TEXT NOT NULL,
	actor     TEXT NOT NULL,
	at        TEXT NOT NULL,
	entity    TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	action    TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
	before    TEXT NOT NULL DEFAULT '',
	after     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (workspace, entity, entity_id);
