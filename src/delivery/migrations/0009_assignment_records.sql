-- Assignments kept once, as their message_assigned record (issue 16's quiet first-time decide): each new
-- assignment was a message_assignments row and a record, and each index entry of them a page of its own
-- written at commit (users arrive in random order), which made a first-time decide dearer than before
-- assignments existed (docs/PERFORMANCE.md, delivery). From here on:
--   the record 'assigned:<message>:<user>' (records.record_id is unique) is the assignment: written once,
--   its presence says the user is assigned, its data carries the group, its instant the assignment's;
--   retention keeps these records whatever their age (lift reads them, and a pruned one would let decide
--   assign the user again), erasure deletes them with the user's other records;
--   neither records_by_user nor records_by_arrival holds them: erasure finds them by record id (one seek
--   per message), and retention never steps over them. Clients may not send message_assigned events nor
--   'assigned:' ids (store.ts reservedRecordReason, since migration 0007's release), so the name marks
--   the server's assignments only.

-- Assignments whose record retention pruned get it back: the same id, instant and group.
INSERT INTO records (record_id, type, user_id, name, ts, data, received_at)
SELECT 'assigned:' || message_id || ':' || user_id, 'track', user_id, 'message_assigned', assigned_at,
       json_object('message_id', message_id, 'group', grp), assigned_at
  FROM message_assignments
 WHERE true
ON CONFLICT (record_id) DO NOTHING;

DROP TABLE message_assignments;

DROP INDEX records_by_user;
CREATE INDEX records_by_user ON records (user_id, name, ts) WHERE name <> 'message_assigned';

DROP INDEX records_by_arrival;
CREATE INDEX records_by_arrival ON records (received_at, name) WHERE type <> 'erase' AND name <> 'message_assigned';
