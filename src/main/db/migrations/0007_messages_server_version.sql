-- The highest version a delivery server told us it holds (from a 409), so the next publish goes above
-- it even after the conflicting item is discarded.
ALTER TABLE messages ADD COLUMN server_version INTEGER;
