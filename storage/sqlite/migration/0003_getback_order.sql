-- Lists show open getbacks by due date with undated ones last. A generated
-- sort key (undated = 9999-12-31) lets one index serve both the order and
-- the "overdue" range, so the first page is read straight off the index.
ALTER TABLE getbacks ADD COLUMN due_key TEXT GENERATED ALWAYS AS (COALESCE(due, '9999-12-31')) VIRTUAL;
CREATE INDEX getbacks_ws_status_duekey ON getbacks (workspace, status, due_key);
DROP INDEX getbacks_ws_status_due;
-- One person's list: found by owner, read in due order off the same index.
CREATE INDEX getbacks_ws_owner_status_duekey ON getbacks (workspace, owner, status, due_key);
DROP INDEX getbacks_ws_owner_status;
