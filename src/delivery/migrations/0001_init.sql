-- The delivery server's first schema: published messages, the records it receives (the events
-- export reads them in ingestion order), per-user traits, per-message results and idempotent answers.

-- One row per message id: the newest published version. A deleted message stays as a tombstone
-- (state 'deleted') so an old version arriving late from an outbox cannot bring it back.
CREATE TABLE messages (
  id           TEXT PRIMARY KEY,
  version      INTEGER NOT NULL,
  -- The validated publish body (JSON): kind, content, rule, trigger, frequency, schedule, ...
  body         TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('running', 'paused', 'ended', 'deleted')),
  published_at INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Every version ever published, for the record.
CREATE TABLE message_versions (
  id           TEXT NOT NULL,
  version      INTEGER NOT NULL,
  body         TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;

-- Every record received (events and identify calls). seq is the ingestion order and the export's
-- cursor; AUTOINCREMENT so a number is never reused.
CREATE TABLE records (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  -- The messageId, or an id derived from the normalized content: the dedupe key.
  record_id   TEXT NOT NULL UNIQUE,
  -- track, page, screen or identify: the Segment-spec type it arrived as.
  type        TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  -- Event name ('page_viewed' for page calls); '' for identify calls.
  name        TEXT NOT NULL,
  ts          INTEGER NOT NULL,
  -- Properties, or the traits of an identify call (JSON object); NULL when empty.
  data        TEXT,
  received_at INTEGER NOT NULL
);
-- A user's records by name: the profile loader reads all of a user's timestamps and the events of
-- the names the live rules need from this one index.
CREATE INDEX records_by_user ON records (user_id, name, ts);

-- Current merged traits per user: identify merges key by key, the later timestamp wins.
CREATE TABLE profiles (
  user_id     TEXT PRIMARY KEY,
  traits      TEXT NOT NULL DEFAULT '{}',
  trait_times TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;

-- What users did with each message, counted as the events arrive (shown, dismissed, clicked,
-- answered, and NPS answers by category). Kept when a message ends or is deleted.
CREATE TABLE message_results (
  message_id TEXT NOT NULL,
  metric     TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (message_id, metric)
) WITHOUT ROWID;

-- Answers to admin requests that carried an Idempotency-Key: a repeat replays the stored answer.
CREATE TABLE idempotency (
  key          TEXT PRIMARY KEY,
  -- Hash of method, path and body: the same key on a different request is refused.
  request_hash TEXT NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency (created_at);
