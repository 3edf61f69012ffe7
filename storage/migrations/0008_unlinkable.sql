-- Unlinkable by default (issue 11). Before this, reports.reporter held the same user key as subscriptions.user_key,
-- so the file alone joined every report to its author's home area, and the quota row's exact time pointed at the
-- report. Now:
--   * reports carry no user key and no handle in clear: `reporter_box` is the author's user key and handle,
--     AES-GCM-encrypted with a fresh nonce per report (equal authors give unequal boxes);
--   * report ids are AUTOINCREMENT: never reused after a purge, so an old button cannot reach a new report;
--   * the hourly quota is a keyed hash (not the user key) with an expiry rounded up to 5 minutes;
--   * a block is a keyed hash with a random salt per row and an expiry day;
--   * each user row draws a random salt for its reporter handle, so /delete_me and coming back gives a new one.
-- Migrations run with foreign keys off (storage/db.py), which is what lets `reports` be rebuilt in place.

CREATE TABLE reports_v8 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reporter_box    BLOB,            -- encrypted {"u": user key, "h": handle}; NULL once the author is erased
    activity        TEXT NOT NULL,
    lat             REAL NOT NULL,   -- coarsened on arrival
    lon             REAL NOT NULL,
    place_en        TEXT NOT NULL,
    place_es        TEXT NOT NULL,
    area_number     INTEGER,
    observed_at     REAL NOT NULL,   -- rounded to 5 minutes, like every time below
    when_bucket     TEXT NOT NULL,
    agents          TEXT NOT NULL,
    vehicles        TEXT NOT NULL,
    markings        TEXT NOT NULL,
    details         BLOB,            -- encrypted; NULL once decided or once the author is erased
    redacted        INTEGER NOT NULL DEFAULT 0,
    language        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                    ('pending', 'confirmed', 'unconfirmed', 'rejected', 'duplicate', 'expired', 'resolved',
                     'false_alarm')),
    duplicate_of    INTEGER REFERENCES reports(id),
    created_at      REAL NOT NULL,
    decided_at      REAL,
    decided_by      TEXT
);
-- Authors of existing reports wait (encrypted by nobody yet) in a side table that the application seals into
-- reporter_box at its next housekeeping and then empties; see ReportRepository.seal_legacy.
CREATE TABLE legacy_report_owner (
    report_id INTEGER PRIMARY KEY,
    user_key  TEXT NOT NULL,
    handle    TEXT NOT NULL
);
INSERT INTO legacy_report_owner(report_id, user_key, handle)
    SELECT id, reporter, reporter_handle FROM reports WHERE reporter IS NOT NULL;
INSERT INTO reports_v8(id, reporter_box, activity, lat, lon, place_en, place_es, area_number, observed_at,
                       when_bucket, agents, vehicles, markings, details, redacted, language, status, duplicate_of,
                       created_at, decided_at, decided_by)
    SELECT id, NULL, activity, lat, lon, place_en, place_es, area_number, CAST(observed_at / 300 AS INTEGER) * 300,
           when_bucket, agents, vehicles, markings, details, redacted, language, status, duplicate_of,
           CAST(created_at / 300 AS INTEGER) * 300, CAST(decided_at / 300 AS INTEGER) * 300, decided_by
    FROM reports;
DROP TABLE reports;
ALTER TABLE reports_v8 RENAME TO reports;
CREATE INDEX reports_status_created ON reports(status, created_at);
CREATE INDEX reports_created_lat ON reports(created_at, lat);

UPDATE moderation_log SET at = CAST(at / 300 AS INTEGER) * 300;
UPDATE report_messages SET at = CAST(at / 300 AS INTEGER) * 300;

-- Blocks: a keyed hash of the user key with a random salt per row; checked by recomputing for each row.
CREATE TABLE legacy_blocked (
    user_key   TEXT PRIMARY KEY
);
INSERT INTO legacy_blocked(user_key) SELECT user_key FROM blocked_reporters;
DROP TABLE blocked_reporters;
CREATE TABLE blocked_reporters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    salt       BLOB NOT NULL,
    tag        TEXT NOT NULL,
    expires_on TEXT NOT NULL        -- a day: the block lapses after it
);

-- Quota: one row per report, keyed by a keyed hash; only a rounded expiry, never the report's time.
DROP TABLE report_quota;
CREATE TABLE report_quota (
    tag        TEXT NOT NULL,
    expires_at INTEGER NOT NULL     -- rounded up to 5 minutes
);
CREATE INDEX report_quota_tag ON report_quota(tag, expires_at);

ALTER TABLE users ADD COLUMN handle_salt BLOB;

-- When someone set up an alert area is not needed to the second (areas are listed by id): keep the day only.
-- A trigger, so every writer gets it; it runs inside the inserting statement, so the exact time never reaches disk.
UPDATE subscriptions SET created_at = CAST(created_at / 86400 AS INTEGER) * 86400;
CREATE TRIGGER subscriptions_created_day AFTER INSERT ON subscriptions
BEGIN
    UPDATE subscriptions SET created_at = CAST(NEW.created_at / 86400 AS INTEGER) * 86400 WHERE id = NEW.id;
END;
