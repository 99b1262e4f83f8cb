-- Per event name and property key, the events whose value there is a JSON string or number, ordered by
-- value, user and time: a property filter that this table answers exactly (eq / in on strings and
-- numbers) is a range of it, and never reads an events row for its JSON. Derived data, built per
-- (name_id, key) on the first count whose rule filters on that pair and brought up to date before each
-- later one (src/main/segments/property-values.ts); no writer maintains it.
CREATE TABLE event_property_values (
  name_id  INTEGER NOT NULL,
  key      TEXT NOT NULL,
  -- json_extract of the value: TEXT for a JSON string, INTEGER or REAL for a JSON number (nothing else is
  -- stored). No declared type, so no affinity: the text '10' stays text and never equals the number 10.
  value    NOT NULL,
  user_pk  INTEGER NOT NULL,
  ts       INTEGER NOT NULL,
  event_pk INTEGER NOT NULL,
  PRIMARY KEY (name_id, key, value, user_pk, ts, event_pk)
) WITHOUT ROWID;

-- The pairs built so far, each with the largest event_pk folded in.
CREATE TABLE event_property_values_through (
  name_id INTEGER NOT NULL,
  key     TEXT NOT NULL,
  through INTEGER NOT NULL,
  PRIMARY KEY (name_id, key)
) WITHOUT ROWID;

-- One pair of triggers for every derived table (replacing 0008's): appending events is what the stamps
-- follow; deleting or changing an event removes every stamp (and the property values, which would
-- otherwise outlive their stamps), so the next count rebuilds what it reads. Writers only insert, so
-- these cost an import nothing.
DROP TRIGGER events_deleted_stale_summary;
DROP TRIGGER events_updated_stale_summary;
CREATE TRIGGER events_deleted_stale_derived AFTER DELETE ON events
BEGIN
  DELETE FROM kv WHERE key = 'event_summary_through';
  DELETE FROM event_property_values_through;
  DELETE FROM event_property_values;
END;
CREATE TRIGGER events_updated_stale_derived AFTER UPDATE OF event_pk, user_pk, name_id, ts, properties ON events
BEGIN
  DELETE FROM kv WHERE key = 'event_summary_through';
  DELETE FROM event_property_values_through;
  DELETE FROM event_property_values;
END;
