-- When a send began. Set before each post and cleared when it is recorded,
-- so an item found with it set was being posted when getback stopped: the
-- sender then asks the platform whether the post arrived before posting
-- again.
ALTER TABLE outbox ADD COLUMN attempt_at TEXT;
