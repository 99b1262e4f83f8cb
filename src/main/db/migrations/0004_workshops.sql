-- Workshops: one JSON document each (src/shared/workshop/model.ts), with the columns lists are sorted
-- and filtered by. The document is the truth; the columns are copied from it on every save.
CREATE TABLE workshops (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  template    TEXT NOT NULL,
  archived    INTEGER NOT NULL DEFAULT 0,
  document    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX workshops_by_updated ON workshops (archived, updated_at);
