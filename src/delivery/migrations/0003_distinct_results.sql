-- Results count distinct users (issue 16): one client with the public key could move a message's
-- `answered` count by thousands in one request, and events naming unknown message ids made counter
-- rows. From here on each metric counts a user once, NPS categories come from each user's latest
-- answer, and only messages that exist (published, not deleted) are counted.

-- The users counted per message and metric: shown, dismissed, clicked, answered.
CREATE TABLE message_result_users (
  message_id TEXT NOT NULL,
  metric     TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  PRIMARY KEY (message_id, metric, user_id)
) WITHOUT ROWID;

-- Each user's latest NPS answer per message: its instant, its record's seq (a tie on the instant goes
-- to the later arrival) and its category, the metric it counts in.
CREATE TABLE message_nps_answers (
  message_id TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  ts         INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  category   TEXT NOT NULL CHECK (category IN ('promoters', 'passives', 'detractors')),
  PRIMARY KEY (message_id, user_id)
) WITHOUT ROWID;

-- Recount what is stored the new way. The rules match metricsOf and npsScore in src/delivery/store.ts
-- and src/shared/segments/values.ts: a non-empty string message_id; survey "nps" with an integer score 0-10.
INSERT OR IGNORE INTO message_result_users (message_id, metric, user_id)
SELECT m.id,
       CASE r.name WHEN 'message_shown' THEN 'shown' WHEN 'message_dismissed' THEN 'dismissed'
                   WHEN 'message_clicked' THEN 'clicked' ELSE 'answered' END,
       r.user_id
  FROM records r
  JOIN messages m ON m.id = json_extract(r.data, '$.message_id') AND m.state <> 'deleted'
 WHERE r.name IN ('message_shown', 'message_dismissed', 'message_clicked', 'survey_answered')
   AND json_type(r.data, '$.message_id') = 'text';

INSERT INTO message_nps_answers (message_id, user_id, ts, seq, category)
SELECT message_id, user_id, ts, seq,
       CASE WHEN score >= 9 THEN 'promoters' WHEN score >= 7 THEN 'passives' ELSE 'detractors' END
  FROM (SELECT m.id AS message_id, r.user_id, r.ts, r.seq, json_extract(r.data, '$.score') AS score,
               row_number() OVER (PARTITION BY m.id, r.user_id ORDER BY r.ts DESC, r.seq DESC) AS latest
          FROM records r
          JOIN messages m ON m.id = json_extract(r.data, '$.message_id') AND m.state <> 'deleted'
         WHERE r.name = 'survey_answered'
           AND json_type(r.data, '$.message_id') = 'text'
           AND json_extract(r.data, '$.survey') = 'nps' AND json_type(r.data, '$.survey') = 'text'
           AND json_type(r.data, '$.score') = 'integer'
           AND json_extract(r.data, '$.score') BETWEEN 0 AND 10)
 WHERE latest = 1;

-- message_results stays the table GET /v1/messages/{id} reads: now the counts of the two tables above.
DELETE FROM message_results;
INSERT INTO message_results (message_id, metric, count)
SELECT message_id, metric, count(*) FROM message_result_users GROUP BY message_id, metric
UNION ALL
SELECT message_id, category, count(*) FROM message_nps_answers GROUP BY message_id, category;
