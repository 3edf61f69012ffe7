-- Sighting reports. The reporter is a user key (pseudonymous) that becomes NULL when the user erases
-- themself; moderators only ever see `reporter_handle`. Free-text details are encrypted and erased at decision.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    reporter        TEXT REFERENCES users(key) ON DELETE SET NULL,
    reporter_handle TEXT NOT NULL,
    activity        TEXT NOT NULL,
    lat             REAL NOT NULL,   -- coarsened on arrival
    lon             REAL NOT NULL,
    place_en        TEXT NOT NULL,
    place_es        TEXT NOT NULL,
    area_number     INTEGER,
    observed_at     REAL NOT NULL,
    when_bucket     TEXT NOT NULL,
    agents          TEXT NOT NULL,
    vehicles        TEXT NOT NULL,
    markings        TEXT NOT NULL,
    details         BLOB,
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
CREATE INDEX reports_status_created ON reports(status, created_at);
CREATE INDEX reports_reporter_created ON reports(reporter, created_at);
CREATE INDEX reports_created_lat ON reports(created_at, lat);

-- Reporters moderators have blocked: their reports go nowhere. Erased with the user.
CREATE TABLE blocked_reporters (
    user_key   TEXT PRIMARY KEY REFERENCES users(key) ON DELETE CASCADE,
    blocked_at REAL NOT NULL,
    blocked_by TEXT NOT NULL
);

-- Every moderator action: who (moderator handle), what, when. No message text.
CREATE TABLE moderation_log (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    moderator TEXT NOT NULL,
    action    TEXT NOT NULL,
    at        REAL NOT NULL
);
CREATE INDEX moderation_log_report ON moderation_log(report_id);

-- Questions relayed between a moderator and a reporter (text encrypted; erased with the report's details).
CREATE TABLE report_messages (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('question', 'answer')),
    body      BLOB,
    at        REAL NOT NULL
);
