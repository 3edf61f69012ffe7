-- A photo sent with a report (issue 12): only the messenger's file reference (a Telegram file_id, never the image),
-- AES-GCM-encrypted with its own context ("report-photo"). Moderators see it above the card; it is set to NULL when
-- they decide (with the details), and goes with the report at retention.
ALTER TABLE reports ADD COLUMN photo BLOB;
