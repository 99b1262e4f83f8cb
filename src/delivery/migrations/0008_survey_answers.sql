-- Survey answers in the profile store (issue 18, src/delivery/profile-store.ts): decide evaluates the
-- rule condition `survey` (a user's latest answer to one question of a `survey` message), so the store
-- keeps, per user, message and question, the latest survey_answered event: its instant, its record id
-- (a tie on the instant goes to the greater id, as in the evaluator) and the parts of the answer the
-- condition reads (`score`, `choice`, `choices`; never the free text). Only answers to messages that
-- exist are kept, and at most 10 questions per user and message (a survey's most), so a client cannot
-- grow a user's rows without bound. The latest answer alone decides a condition at `now`, window or not:
-- when it lies outside the window, every older one does too. Like the latest NPS answer and frequency
-- state, the rows stay when retention prunes the records, and go when the user is erased.
CREATE TABLE survey_answers (
  user_id     TEXT NOT NULL,
  message_id  TEXT NOT NULL,
  question_id TEXT NOT NULL,
  ts          INTEGER NOT NULL,
  record_id   TEXT NOT NULL,
  -- JSON object: the answer's score, choice and choices, those present, as sent.
  answer      TEXT NOT NULL,
  PRIMARY KEY (user_id, message_id, question_id)
) WITHOUT ROWID;

-- Backfill from the records stored so far: the latest answer per user, message and question, for
-- messages that exist, with text message and question ids (surveyAnswerOf in profile-store.ts). Real
-- surveys have at most 10 questions; a past client's extra question ids are kept here, and new ones refused.
INSERT INTO survey_answers (user_id, message_id, question_id, ts, record_id, answer)
SELECT user_id, message_id, question_id, ts, record_id, answer
  FROM (SELECT r.user_id, json_extract(r.data, '$.message_id') AS message_id, json_extract(r.data, '$.question_id') AS question_id,
               r.ts, r.record_id,
               (SELECT json_group_object(key, CASE WHEN type IN ('object', 'array', 'true', 'false') THEN json(value) ELSE value END)
                  FROM json_each(r.data) WHERE key IN ('score', 'choice', 'choices')) AS answer,
               row_number() OVER (PARTITION BY r.user_id, json_extract(r.data, '$.message_id'), json_extract(r.data, '$.question_id')
                                  ORDER BY r.ts DESC, r.record_id DESC) AS newest
          FROM records r
         WHERE r.name = 'survey_answered' AND json_valid(r.data)
           AND json_type(r.data, '$.message_id') = 'text' AND json_type(r.data, '$.question_id') = 'text'
           AND json_extract(r.data, '$.message_id') IN (SELECT id FROM messages))
 WHERE newest = 1;
