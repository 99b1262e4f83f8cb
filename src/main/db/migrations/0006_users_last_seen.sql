-- The segment compiler asks max(last_seen) on every compile (is last_seen current as of asOf?), and the
-- users table lists newest activity first: both were a scan of every user without this index.
CREATE INDEX users_by_last_seen ON users (last_seen);
