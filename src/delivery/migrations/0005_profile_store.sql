-- The profile store (issue 16, src/delivery/profile-store.ts): what decide knows of a user, bounded and
-- kept apart from the raw records. Before, a profile was read from `records` whole (every timestamp of
-- the user for first and last seen, every event of the names the live rules need), and frequency and
-- cooldown were counted from message_shown records, so pruning records would let a once-only message
-- show again. From here on:
--   profiles            first and last seen (events and identify calls; group calls are not activity),
--                       the last message shown (the global cooldown) and the latest NPS answer;
--   message_shows       per user and message: times shown, first and last shown;
--   profile_events      per collected event name and user, the newest events up to a cap (1,000 by
--                       default, --profile-events-per-name), with a count per (name, user) beside them.

ALTER TABLE profiles ADD COLUMN first_seen INTEGER;
ALTER TABLE profiles ADD COLUMN last_seen INTEGER;
-- The latest message_shown of any message: the global cooldown.
ALTER TABLE profiles ADD COLUMN last_shown INTEGER;
-- The latest NPS answer (survey_answered, survey "nps", integer score 0-10): its instant, its record id
-- (a tie on the instant goes to the greater id, as in the evaluator) and its score.
ALTER TABLE profiles ADD COLUMN nps_ts INTEGER;
ALTER TABLE profiles ADD COLUMN nps_record_id TEXT;
ALTER TABLE profiles ADD COLUMN nps_score INTEGER;

-- Shows of messages that exist (in any state, deleted included: a message republished after a delete
-- keeps its history). Bounded per user by the number of messages ever published.
CREATE TABLE message_shows (
  user_id     TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  times       INTEGER NOT NULL,
  first_shown INTEGER NOT NULL,
  last_shown  INTEGER NOT NULL,
  PRIMARY KEY (user_id, message_id)
) WITHOUT ROWID;

-- One row per collection of an event name: started when a published rule first needs the name,
-- retired (retired_at set) when no live rule needs it any more. A retired collection's events are
-- deleted in small batches; a name needed again starts a new collection, never mixing the two.
CREATE TABLE profile_event_names (
  collection INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  since      INTEGER NOT NULL,
  retired_at INTEGER
);
CREATE UNIQUE INDEX profile_event_names_live ON profile_event_names (name) WHERE retired_at IS NULL;

-- The kept events: per (collection, user), ordered by instant then record id; the oldest go first past the cap.
CREATE TABLE profile_events (
  collection INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  ts         INTEGER NOT NULL,
  record_id  TEXT NOT NULL,
  -- The event's properties (JSON object); NULL when empty.
  data       TEXT,
  PRIMARY KEY (collection, user_id, ts, record_id)
) WITHOUT ROWID;

-- How many events profile_events holds per (collection, user): the cap is checked without counting rows.
CREATE TABLE profile_event_counts (
  collection INTEGER NOT NULL,
  user_id    TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (collection, user_id)
) WITHOUT ROWID;

-- Backfill from the records stored so far, so that an upgraded server decides as before.

-- First and last seen: events (name > '') and identify calls (name '', no group_id).
INSERT INTO profiles (user_id, first_seen, last_seen)
SELECT user_id, min(ts), max(ts) FROM records WHERE name > '' OR group_id IS NULL GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen;

-- Shows: message_shown records whose message_id (text) names a stored message.
INSERT INTO message_shows (user_id, message_id, times, first_shown, last_shown)
SELECT r.user_id, m.id, count(*), min(r.ts), max(r.ts)
  FROM records r JOIN messages m ON m.id = json_extract(r.data, '$.message_id')
 WHERE r.name = 'message_shown' AND json_valid(r.data) AND json_type(r.data, '$.message_id') = 'text'
 GROUP BY r.user_id, m.id;

UPDATE profiles SET last_shown = (SELECT max(last_shown) FROM message_shows s WHERE s.user_id = profiles.user_id)
 WHERE user_id IN (SELECT user_id FROM message_shows);

-- The latest NPS answer per user (npsScore in src/shared/segments/values.ts; ties to the greater record id).
UPDATE profiles SET (nps_ts, nps_record_id, nps_score) = (
  SELECT ts, record_id, json_extract(data, '$.score') FROM records r
   WHERE r.user_id = profiles.user_id AND r.name = 'survey_answered' AND json_valid(r.data)
     AND json_type(r.data, '$.survey') = 'text' AND json_extract(r.data, '$.survey') = 'nps'
     AND json_type(r.data, '$.score') = 'integer' AND json_extract(r.data, '$.score') BETWEEN 0 AND 10
   ORDER BY ts DESC, record_id DESC LIMIT 1)
 WHERE user_id IN (SELECT user_id FROM records WHERE name = 'survey_answered');

-- The names the messages that are not deleted count in their rules (event conditions at any depth;
-- neededEventNames in src/delivery/decide.ts). message_shown and NPS answers have their own state above.
INSERT INTO profile_event_names (name, since)
SELECT DISTINCT json_extract(t.value, '$.event'), CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
  FROM messages m, json_tree(m.body, '$.rule') t
 WHERE m.state <> 'deleted' AND t.type = 'object'
   AND json_extract(t.value, '$.type') = 'event' AND json_type(t.value, '$.event') = 'text'
 ORDER BY 1;

-- Their events, the newest 1,000 per user and name (the default cap).
INSERT INTO profile_events (collection, user_id, ts, record_id, data)
SELECT collection, user_id, ts, record_id, data
  FROM (SELECT n.collection, r.user_id, r.ts, r.record_id, r.data,
               row_number() OVER (PARTITION BY n.collection, r.user_id ORDER BY r.ts DESC, r.record_id DESC) AS newest
          FROM profile_event_names n JOIN records r ON r.name = n.name)
 WHERE newest <= 1000;

INSERT INTO profile_event_counts (collection, user_id, count)
SELECT collection, user_id, count(*) FROM profile_events GROUP BY collection, user_id;
