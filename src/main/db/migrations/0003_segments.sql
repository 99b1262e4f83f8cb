-- Saved segments: a name and a rule (JSON, the portable model of docs/SEGMENTS.md).
CREATE TABLE segments (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  rule        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX segments_by_name ON segments (name COLLATE NOCASE);

-- The segment universe (users with a record at or before asOf) is a range scan on this covering index.
CREATE INDEX users_by_first_seen ON users (first_seen);
