-- The first cache schema: users, events, names, a daily rollup, and a key-value table for settings and sync state.

CREATE TABLE kv (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
  user_pk     INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  -- Current merged traits (JSON object): identify merges key by key, the later timestamp wins.
  traits      TEXT NOT NULL DEFAULT '{}',
  -- For each trait key, the timestamp of the identify call that set it.
  trait_times TEXT NOT NULL DEFAULT '{}',
  -- Earliest and latest record (event or identify call), ms since the epoch.
  first_seen  INTEGER,
  last_seen   INTEGER
);

CREATE TABLE event_names (
  name_id INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE
);
-- name_id 0 is reserved for identify calls: they are records (they count for first and last seen) but not events.
INSERT INTO event_names (name_id, name) VALUES (0, '');

CREATE TABLE events (
  event_pk   INTEGER PRIMARY KEY,
  -- 64-bit hash of event_id: a small integer key keeps the dedupe index compact and fast.
  event_key  INTEGER NOT NULL,
  -- The record's messageId, or an id derived from its normalized content.
  event_id   TEXT NOT NULL,
  user_pk    INTEGER NOT NULL REFERENCES users (user_pk),
  name_id    INTEGER NOT NULL REFERENCES event_names (name_id),
  ts         INTEGER NOT NULL,
  -- JSON object; NULL when the record has no properties. For identify calls: the traits it carried.
  properties TEXT
);
CREATE UNIQUE INDEX events_by_key ON events (event_key);
-- Covering index for behavioral segments: count one event per user within a window. It also serves
-- one user's timeline (a skip-scan over the few event names), so no second per-user index is kept:
-- every index costs about 1.7 s per million rows to build, the largest share of an import.
CREATE INDEX events_by_name_user_ts ON events (name_id, user_pk, ts);

-- Daily rollup per event name, kept by every writer, so the catalog and volume charts never scan events.
CREATE TABLE event_daily (
  day      INTEGER NOT NULL,
  name_id  INTEGER NOT NULL,
  events   INTEGER NOT NULL,
  first_ts INTEGER NOT NULL,
  last_ts  INTEGER NOT NULL,
  PRIMARY KEY (day, name_id)
) WITHOUT ROWID;
