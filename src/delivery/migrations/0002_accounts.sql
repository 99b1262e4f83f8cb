-- Accounts from group calls (issue 15): a group call names an account (its groupId) with traits and
-- makes the user who sent it a member. decide evaluates account conditions from these tables.

-- A group call is a record like the others (the events export reads it in ingestion order); its
-- groupId is here, its traits in `data`. NULL for every other record.
ALTER TABLE records ADD COLUMN group_id TEXT;

-- Current merged traits per account: group calls merge key by key, the later timestamp wins (as
-- identify calls do for a user's traits).
CREATE TABLE accounts (
  group_id    TEXT PRIMARY KEY,
  traits      TEXT NOT NULL DEFAULT '{}',
  trait_times TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;

-- A user's accounts: one row per (user, account), since the earliest group call that made them a member.
CREATE TABLE account_members (
  user_id  TEXT NOT NULL,
  group_id TEXT NOT NULL,
  since    INTEGER NOT NULL,
  PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
