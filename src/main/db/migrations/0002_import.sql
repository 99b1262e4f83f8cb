-- Imports and sync: the property keys seen per event name, and the report of every import.

CREATE TABLE event_property_keys (
  name_id INTEGER NOT NULL,
  key     TEXT NOT NULL,
  -- Bit mask of the JSON types seen: 1 string, 2 number, 4 boolean, 8 object, 16 array, 32 null.
  types   INTEGER NOT NULL,
  PRIMARY KEY (name_id, key)
) WITHOUT ROWID;

CREATE TABLE import_reports (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,           -- 'file' or 'sync'
  source      TEXT NOT NULL,           -- the file's path or the sync source's URL
  format      TEXT,
  started_at  INTEGER NOT NULL,
  ms          INTEGER NOT NULL,
  state       TEXT NOT NULL,           -- 'done', 'cancelled' or 'failed'
  imported    INTEGER NOT NULL,
  duplicates  INTEGER NOT NULL,
  rejected    INTEGER NOT NULL,
  users       INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  -- The first 1,000 rejections: [{"line": n, "reason": "..."}].
  errors      TEXT NOT NULL,
  message     TEXT
);
