-- An imported meeting's source key is "<group>:<n>": the n-th meeting with
-- one row identity. Importers look meetings up by group; an index on the
-- group makes that one seek per identity whatever the planner knows.
ALTER TABLE meetings ADD COLUMN source_group TEXT GENERATED ALWAYS AS (rtrim(source_key, '0123456789')) VIRTUAL;
CREATE INDEX meetings_source_group ON meetings (workspace, source_group) WHERE source_key IS NOT NULL;
