-- Messages: the authored document (src/shared/messages/model.ts) with the columns lists need, what the
-- delivery server last accepted (version, body, state), the outbox of changes waiting to be sent, and
-- each environment's delivery URL (never its token).
CREATE TABLE messages (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  kind               TEXT NOT NULL,
  archived           INTEGER NOT NULL DEFAULT 0,
  document           TEXT NOT NULL,
  -- The target's name when last seen, for the warning once the segment or persona is deleted.
  target_name        TEXT,
  published_version  INTEGER,
  published_body     TEXT,
  server_state       TEXT,
  published_at       INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX messages_by_updated ON messages (archived, updated_at);

-- One row per change to deliver. The body and URL are frozen when queued; the Idempotency-Key is made
-- once and sent on every attempt, so a retry after a lost answer changes nothing twice.
CREATE TABLE message_outbox (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id       TEXT NOT NULL,
  op               TEXT NOT NULL CHECK (op IN ('publish', 'pause', 'resume', 'end')),
  environment      TEXT NOT NULL,
  url              TEXT NOT NULL,
  version          INTEGER,
  body             TEXT,
  idempotency_key  TEXT NOT NULL UNIQUE,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'published', 'failed', 'conflict')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  last_error       TEXT,
  server_message   TEXT,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE INDEX message_outbox_by_message ON message_outbox (message_id, id);
CREATE INDEX message_outbox_by_state ON message_outbox (state, next_attempt_at);

CREATE TABLE message_environments (
  environment  TEXT PRIMARY KEY,
  url          TEXT
);
