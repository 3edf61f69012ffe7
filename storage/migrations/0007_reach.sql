-- Issue 15: nearest first, paid broadcast, time to reach.
--
-- sort_key orders rows of the same priority: an alert row carries the recipient's distance from the report in
-- whole metres plus radius/10^6 (so the nearest go first, and at equal distance the smaller circle); other rows
-- keep 0 and so go before any alert row of their priority. The claim reads due rows in this index's order.
ALTER TABLE outbox ADD COLUMN sort_key REAL NOT NULL DEFAULT 0;
-- 1 when the message was sent with Telegram's allow_paid_broadcast (each costs Stars; see paid_broadcast_spend).
ALTER TABLE outbox ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
-- Set by a correction on alert rows that were claimed but maybe not yet started: the worker drops the ones it has
-- not started, together with the queued correction row named here for the same user (who never saw the alert).
ALTER TABLE outbox ADD COLUMN superseded_by TEXT;

DROP INDEX outbox_due;
CREATE INDEX outbox_claim ON outbox(priority DESC, sort_key, not_before, id) WHERE status = 'queued';
-- The hourly alert cap is checked for a whole fan-out at once: alert rows created in the last hour.
CREATE INDEX outbox_recent_alerts ON outbox(created_at) WHERE kind = 'alert';

-- How long an alert took to reach people (the moderators' card and /stats). decided_at is the moderator's
-- decision; first/last_sent_at are when the messenger confirmed the first and the latest delivery; total is the
-- number of alert rows queued at the decision (people held for a digest are not counted). Kept by a trigger, so
-- every delivery is counted atomically with the row becoming 'sent'. Erased with the alert (report retention).
CREATE TABLE alert_reach (
    alert_id      INTEGER PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
    decided_at    REAL NOT NULL,
    total         INTEGER NOT NULL,
    sent          INTEGER NOT NULL DEFAULT 0,
    first_sent_at REAL,
    last_sent_at  REAL
);
CREATE INDEX alert_reach_decided ON alert_reach(decided_at);

CREATE TRIGGER outbox_alert_reach AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sent' AND OLD.status != 'sent' AND NEW.kind = 'alert' AND NEW.ref LIKE 'alert:%'
BEGIN
    UPDATE alert_reach SET sent = sent + 1, first_sent_at = MIN(COALESCE(first_sent_at, NEW.sent_at), NEW.sent_at),
                           last_sent_at = MAX(COALESCE(last_sent_at, NEW.sent_at), NEW.sent_at)
    WHERE alert_id = CAST(substr(NEW.ref, 7) AS INTEGER);
END;

-- Paid broadcast spending per UTC day (messages sent with allow_paid_broadcast; 0.1 Star each).
CREATE TABLE paid_broadcast_spend (
    day      TEXT PRIMARY KEY,
    messages INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER outbox_paid_spend AFTER UPDATE OF status ON outbox
WHEN NEW.status = 'sent' AND OLD.status != 'sent' AND NEW.paid = 1
BEGIN
    INSERT INTO paid_broadcast_spend(day, messages) VALUES (date(NEW.sent_at, 'unixepoch'), 1)
    ON CONFLICT(day) DO UPDATE SET messages = messages + 1;
END;
