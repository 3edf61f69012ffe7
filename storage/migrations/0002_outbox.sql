-- The durable outbox (design principle 3): one row per recipient, written in the same transaction as the decision
-- that caused it, sent later by the single delivery worker.
-- A row goes either to a user (user_key; their address lives encrypted in users and the row is deleted with them)
-- or to a chat that is not a user, such as the moderators' group (messenger + AES-GCM-encrypted address).
-- payload is the AES-GCM-encrypted reply and is wiped once the row is finished (alert text reveals places).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    user_key    TEXT REFERENCES users(key) ON DELETE CASCADE,
    messenger   TEXT,
    address     BLOB,
    chat_kind   TEXT NOT NULL DEFAULT 'private' CHECK (chat_kind IN ('private', 'group')),
    kind        TEXT NOT NULL,            -- alert | correction | card | notice | broadcast | …
    ref         TEXT,                     -- e.g. 'alert:42': who was sent what, for corrections and card edits
    priority    INTEGER NOT NULL DEFAULT 0, -- higher first: a moderator card must not wait behind a broadcast
    payload     BLOB NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL,            -- unix time; no send before (backoff, retry_after, per-chat pacing)
    lease_until REAL,                     -- while 'sending': after this the row is presumed lost in a crash
    created_at  REAL NOT NULL,
    sent_at     REAL,
    message_id  TEXT,                     -- the id the messenger returned (to edit moderator cards later)
    last_error  TEXT,                     -- a short reason code, never message text
    CHECK (user_key IS NOT NULL OR (messenger IS NOT NULL AND address IS NOT NULL))
);

-- Claiming: due queued rows in order, and leases that expired (rows in flight at a crash).
CREATE INDEX outbox_due ON outbox(priority DESC, not_before, id) WHERE status = 'queued';
CREATE INDEX outbox_leases ON outbox(lease_until) WHERE status = 'sending';
-- Corrections ("who received alert 42") and card edits.
CREATE INDEX outbox_ref ON outbox(ref, status) WHERE ref IS NOT NULL;
-- Cancelling a user's pending rows, and the ON DELETE CASCADE from users.
CREATE INDEX outbox_user ON outbox(user_key) WHERE user_key IS NOT NULL;

-- Cumulative counters for /stats; they survive purging of finished rows. Kept by triggers so that every status
-- change is counted atomically with the change itself, whichever code path made it.
CREATE TABLE delivery_stats (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL DEFAULT 0
);
INSERT INTO delivery_stats(name) VALUES ('enqueued'), ('sent'), ('retried'), ('failed'), ('cancelled'),
                                        ('reclaimed');

CREATE TRIGGER outbox_count_enqueued AFTER INSERT ON outbox
BEGIN
    UPDATE delivery_stats SET value = value + 1 WHERE name = 'enqueued';
END;

CREATE TRIGGER outbox_count_finished AFTER UPDATE OF status ON outbox
WHEN NEW.status IN ('sent', 'failed', 'cancelled') AND OLD.status != NEW.status
BEGIN
    UPDATE delivery_stats SET value = value + 1 WHERE name = NEW.status;
END;

CREATE TRIGGER outbox_count_retried AFTER UPDATE OF status ON outbox
WHEN OLD.status = 'sending' AND NEW.status = 'queued' AND NEW.attempts > OLD.attempts
BEGIN
    UPDATE delivery_stats SET value = value + 1 WHERE name = 'retried';
END;
