-- Erasure (issue 16, privacy): a delivery server's erase marker, read by sync, removes a user and every
-- id merged into them from the cache (src/main/ingest/write/erase.ts). Each id erased keeps a tombstone
-- here, so a later import of an old file does not bring them back: records of a tombstoned id dated at
-- or before its erasure are skipped and counted in the import report (docs/IMPORT.md, "Erased users").
CREATE TABLE erased_users (
  user_id   TEXT PRIMARY KEY,
  -- The erasure's instant (the marker's timestamp), ms since the epoch.
  erased_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Erasure deletes a user's events and removes exactly their rows from the derived tables itself, as a
-- merge does; the delete trigger would otherwise empty those tables and make the next count rebuild them
-- over every event. While kv.erasing_user is set (inside the erasure's transaction only), it stays quiet.
DROP TRIGGER events_deleted_stale_derived;
CREATE TRIGGER events_deleted_stale_derived AFTER DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM kv WHERE key = 'erasing_user')
BEGIN
  DELETE FROM kv WHERE key = 'event_summary_through';
  DELETE FROM event_property_values_through;
  DELETE FROM event_property_values;
END;
