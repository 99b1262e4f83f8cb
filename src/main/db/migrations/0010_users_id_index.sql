-- users.id's uniqueness moves from a column constraint to a named index. SQLite backs a UNIQUE
-- constraint with an automatic index that cannot be dropped; a named one can, so an import that adds
-- many users (user-updates.ts) builds it once after inserting them: keeping it row by row was most of
-- the time of writing 50,000 new users. The table is rebuilt with the same columns in the same order.
CREATE TABLE users_rebuilt (
  user_pk     INTEGER PRIMARY KEY,
  id          TEXT NOT NULL,
  -- Current merged traits (JSON object): identify merges key by key, the later timestamp wins.
  traits      TEXT NOT NULL DEFAULT '{}',
  -- For each trait key, the timestamp of the identify call that set it.
  trait_times TEXT NOT NULL DEFAULT '{}',
  -- Earliest and latest record (event or identify call), ms since the epoch.
  first_seen  INTEGER,
  last_seen   INTEGER
);
INSERT INTO users_rebuilt (user_pk, id, traits, trait_times, first_seen, last_seen)
  SELECT user_pk, id, traits, trait_times, first_seen, last_seen FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE UNIQUE INDEX users_by_id ON users (id);
CREATE INDEX users_by_first_seen ON users (first_seen);
CREATE INDEX users_by_last_seen ON users (last_seen);
