-- Assignment to a message's exposed or holdout group (issue 19): written by decide the first time it
-- would return the message to a user (every check passed). One row per message and user, whatever the
-- retries: the primary key is the unique constraint, and the message_assigned record it goes with has
-- the deterministic record_id 'assigned:<message>:<user>' (records.record_id is unique too).
CREATE TABLE message_assignments (
  message_id  TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  grp         TEXT NOT NULL CHECK (grp IN ('exposed', 'holdout')),
  assigned_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;
