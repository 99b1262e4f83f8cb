-- Warehouse `tracks` rows (issue 15, item 5): stored events that lack the custom properties their
-- per-event table's row has. When that row comes (in this import or a later one), it replaces the
-- stored event's properties and the event leaves this table; a `tracks` row arriving after its
-- per-event row is a plain duplicate. Events are never deleted, so no row here outlives its event.
CREATE TABLE replaceable_events (
  event_pk INTEGER PRIMARY KEY
);
