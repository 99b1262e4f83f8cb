-- An import report's further counts, as a JSON object (zone-less instants, future-dated records, the
-- time zone used): new counts join it without another migration, and reports kept before it read as none.
ALTER TABLE import_reports ADD COLUMN details TEXT;
