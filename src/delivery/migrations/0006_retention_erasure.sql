-- Retention and erasure (issue 16, privacy).
--
-- Retention (`--retain-days`) prunes records by their arrival, oldest first, a small batch at a time:
-- this index finds them without reading the rest. Erase markers (type 'erase') are never pruned, so
-- the index leaves them out; the name is in it so that records kept whatever their age (message_shown,
-- while decide reads frequency from them) are stepped over without reading their rows.
CREATE INDEX records_by_arrival ON records (received_at, name) WHERE type <> 'erase';

-- Users erased with DELETE /v1/users/{userId}: when, and the seq of the erase marker the export
-- carries (a record of type 'erase', user_id '' so no profile reads it, the erased id in its data).
-- A repeated erasure of a user with nothing new stored answers from here and adds no marker.
CREATE TABLE erasures (
  user_id   TEXT PRIMARY KEY,
  erased_at INTEGER NOT NULL,
  seq       INTEGER NOT NULL
) WITHOUT ROWID;
