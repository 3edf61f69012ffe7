-- Anti-abuse must survive /delete_me: a blocked reporter who erases themself and comes back is still blocked,
-- and the hourly report limit still counts. Both are keyed by the pseudonymous user key only, with no link to
-- the users table (so erasing the user does not erase them); the quota rows are purged after an hour.
CREATE TABLE blocked_reporters_v2 (
    user_key   TEXT PRIMARY KEY,
    blocked_at REAL NOT NULL,
    blocked_by TEXT NOT NULL
);
INSERT INTO blocked_reporters_v2 SELECT user_key, blocked_at, blocked_by FROM blocked_reporters;
DROP TABLE blocked_reporters;
ALTER TABLE blocked_reporters_v2 RENAME TO blocked_reporters;

CREATE TABLE report_quota (
    user_key   TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX report_quota_user ON report_quota(user_key, created_at);
INSERT INTO report_quota(user_key, created_at) SELECT reporter, created_at FROM reports WHERE reporter IS NOT NULL;

CREATE INDEX conversations_updated ON conversations(updated_at);
