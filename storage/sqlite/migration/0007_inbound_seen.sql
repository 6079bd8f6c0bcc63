-- Deliveries from chat platforms already handled (Slack trigger and event
-- ids, Mattermost action ids), so a retried delivery is processed once.
CREATE TABLE inbound_seen (
	key TEXT PRIMARY KEY,
	at  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX inbound_seen_at ON inbound_seen (at);
