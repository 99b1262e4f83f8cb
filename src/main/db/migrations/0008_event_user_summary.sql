-- Per event name and user: first and last event and how many, so that "did X (in the last N days)" is a
-- range of this table rather than a scan of the name's whole (name_id, user_pk, ts) index range.
-- Derived data: the segment service folds in events newer than the stamp kv.event_summary_through
-- (the largest event_pk folded in) before a count, so no writer maintains it. Identify calls (name 0)
-- are left out: no segment condition counts them.
CREATE TABLE event_user_summary (
  name_id  INTEGER NOT NULL,
  user_pk  INTEGER NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts  INTEGER NOT NULL,
  events   INTEGER NOT NULL,
  PRIMARY KEY (name_id, user_pk)
) WITHOUT ROWID;
-- "In the last N days" is a range of last_ts, and max(last_ts) per name says whether any event lies after asOf.
CREATE INDEX event_user_summary_by_last ON event_user_summary (name_id, last_ts);

-- Appending events (new rows get a larger event_pk) is what the stamp follows; anything else that changes
-- an event removes the stamp, so the next count rebuilds the summary. Writers only insert, so these cost
-- an import nothing.
CREATE TRIGGER events_deleted_stale_summary AFTER DELETE ON events
BEGIN
  DELETE FROM kv WHERE key = 'event_summary_through';
END;
CREATE TRIGGER events_updated_stale_summary AFTER UPDATE OF event_pk, user_pk, name_id, ts ON events
BEGIN
  DELETE FROM kv WHERE key = 'event_summary_through';
END;
