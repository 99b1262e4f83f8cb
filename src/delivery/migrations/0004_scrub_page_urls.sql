-- Issue 16 (privacy): page addresses and referrers stored before the SDK trimmed them. Query strings and
-- fragments carry secrets (reset tokens, OAuth access tokens), and records are kept forever. Stored
-- page calls are cut the way the SDK now sends them (src/shared/page-url.ts), except that the server
-- cannot know a site's allow-listed query parameters, so every query parameter goes:
--   url       everything from the first '?' or '#' goes;
--   search    becomes '';
--   referrer  keeps its origin (scheme://host:port); one without '://' (about:, data:) becomes ''.
-- Only page records (type 'page': their data is the call's properties) and only text values change.

UPDATE records
SET data = json_replace(data, '$.url',
  substr(json_extract(data, '$.url'), 1,
    min(instr(json_extract(data, '$.url') || '?', '?'), instr(json_extract(data, '$.url') || '#', '#')) - 1))
WHERE type = 'page' AND json_valid(data) AND json_type(data, '$.url') = 'text'
  AND (instr(json_extract(data, '$.url'), '?') > 0 OR instr(json_extract(data, '$.url'), '#') > 0);

UPDATE records
SET data = json_replace(data, '$.search', '')
WHERE type = 'page' AND json_valid(data) AND json_type(data, '$.search') = 'text' AND json_extract(data, '$.search') <> '';

-- The origin ends at the first '/', '?' or '#' after the '://'.
UPDATE records
SET data = json_replace(data, '$.referrer',
  CASE WHEN instr(json_extract(data, '$.referrer'), '://') = 0 THEN ''
  ELSE substr(json_extract(data, '$.referrer'), 1, instr(json_extract(data, '$.referrer'), '://') + 1 + min(
    instr(substr(json_extract(data, '$.referrer'), instr(json_extract(data, '$.referrer'), '://') + 3) || '/', '/'),
    instr(substr(json_extract(data, '$.referrer'), instr(json_extract(data, '$.referrer'), '://') + 3) || '?', '?'),
    instr(substr(json_extract(data, '$.referrer'), instr(json_extract(data, '$.referrer'), '://') + 3) || '#', '#')))
  END)
WHERE type = 'page' AND json_valid(data) AND json_type(data, '$.referrer') = 'text' AND json_extract(data, '$.referrer') <> '';
