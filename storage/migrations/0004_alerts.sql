-- Alert areas: up to 3 circles per user, coarsened centre. Erased with the user.
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    user_key   TEXT NOT NULL REFERENCES users(key) ON DELETE CASCADE,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    radius_m   REAL NOT NULL CHECK (radius_m > 0),
    place_en   TEXT NOT NULL,
    place_es   TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions(user_key);

-- R*Tree over each circle's bounding box (enlarged, so it never cuts the circle): point queries find candidates,
-- then the exact geodesic check decides. Rows are added with their subscription (same transaction) and removed
-- by trigger, which also fires on the cascade when a user is erased.
CREATE VIRTUAL TABLE subscriptions_box USING rtree(id, min_lat, max_lat, min_lon, max_lon);

CREATE TRIGGER subscriptions_box_delete AFTER DELETE ON subscriptions BEGIN
    DELETE FROM subscriptions_box WHERE id = OLD.id;
END;

-- Quiet hours (local time): alerts arrive without sound. Per user; erased with the user.
CREATE TABLE alert_prefs (
    user_key   TEXT PRIMARY KEY REFERENCES users(key) ON DELETE CASCADE,
    quiet_from INTEGER CHECK (quiet_from BETWEEN 0 AND 23),
    quiet_to   INTEGER CHECK (quiet_to BETWEEN 0 AND 23)
);

-- A published alert: one per cluster of nearby reports; later reports nearby merge into it.
CREATE TABLE alerts (
    id           INTEGER PRIMARY KEY,
    report_id    INTEGER NOT NULL REFERENCES reports(id),
    activity     TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    verified     INTEGER NOT NULL,
    observed_at  REAL NOT NULL,
    report_count INTEGER NOT NULL DEFAULT 1,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'resolved', 'false_alarm', 'expired')),
    created_at   REAL NOT NULL,
    expires_at   REAL NOT NULL
);
CREATE INDEX alerts_active ON alerts(status, created_at);
CREATE INDEX alerts_report ON alerts(report_id);

-- Which report belongs to which alert (the first one and every merged one).
CREATE TABLE alert_reports (
    alert_id  INTEGER NOT NULL REFERENCES alerts(id),
    report_id INTEGER NOT NULL UNIQUE REFERENCES reports(id),
    PRIMARY KEY (alert_id, report_id)
);

-- Alerts held back because a subscriber reached the hourly cap; sent later as one digest (sent_at set then,
-- so corrections also reach people who learnt of an alert through a digest).
CREATE TABLE alert_digest (
    user_key  TEXT NOT NULL REFERENCES users(key) ON DELETE CASCADE,
    alert_id  INTEGER NOT NULL REFERENCES alerts(id),
    queued_at REAL NOT NULL,
    sent_at   REAL,
    PRIMARY KEY (user_key, alert_id)
);
