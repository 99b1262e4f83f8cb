-- Identity and accounts (issue 15, item 4).
--
-- Every id a record named (userId, anonymousId, previousId) and the user it belongs to now: merges
-- (a record carrying both ids, an alias call) point the merged ids at the surviving user_pk.
CREATE TABLE identity_links (
  id      TEXT PRIMARY KEY,
  user_pk INTEGER NOT NULL,
  -- 1 when the id was ever a record's userId (a known user), 0 while it was only an anonymousId.
  known   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX identity_links_by_user ON identity_links (user_pk);

-- Accounts from group calls: traits merged key by key like a user's (the later timestamp wins).
CREATE TABLE accounts (
  account_pk  INTEGER PRIMARY KEY,
  group_id    TEXT NOT NULL UNIQUE,
  traits      TEXT NOT NULL DEFAULT '{}',
  trait_times TEXT NOT NULL DEFAULT '{}',
  first_seen  INTEGER,
  last_seen   INTEGER
);

-- A user's accounts (current membership, whatever a rule's asOf): one row per group call's pair.
CREATE TABLE account_members (
  user_pk    INTEGER NOT NULL,
  account_pk INTEGER NOT NULL,
  -- The earliest group call that made the user a member, ms since the epoch.
  since      INTEGER NOT NULL,
  PRIMARY KEY (user_pk, account_pk)
) WITHOUT ROWID;
CREATE INDEX account_members_by_account ON account_members (account_pk, user_pk);

-- A merge rewrites events.user_pk and brings the derived tables up to date itself, in place
-- (src/main/ingest/write/user-merge.ts): such a rewrite no longer removes their stamps and contents,
-- which would make the next count rebuild them over every event. Any other change of an event still does.
DROP TRIGGER events_updated_stale_derived;
CREATE TRIGGER events_updated_stale_derived AFTER UPDATE OF event_pk, name_id, ts, properties ON events
BEGIN
  DELETE FROM kv WHERE key = 'event_summary_through';
  DELETE FROM event_property_values_through;
  DELETE FROM event_property_values;
END;
