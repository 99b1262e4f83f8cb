-- The user sample (issue 21; docs/IMPORT.md, "A sample of users"): a cache may hold every record of a
-- stable hash-sample of users and none of the others. Its rate is fixed by the first import or sync into
-- the empty cache and recorded here, one row; an import or sync asking for another rate is refused, and
-- every count from a sampled cache is scaled and shown with its interval (src/shared/estimate.ts).
-- Caches made before this migration hold every user: 100 %.
CREATE TABLE user_sample (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  -- The share of users kept, in percent.
  percent   REAL NOT NULL CHECK (percent > 0 AND percent <= 100),
  -- How users are chosen, so a later version can tell (src/shared/user-sample.ts).
  hash      TEXT NOT NULL
);
INSERT INTO user_sample (singleton, percent, hash) VALUES (1, 100, 'murmur3_x86_32(utf8(id), seed 0)');
