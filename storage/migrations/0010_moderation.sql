-- Moderation safeguards (issues 11 and 12).
--
-- A proposal waiting for a second moderator ("Publish unverified", or every Confirm when so configured). The first
-- moderator's handle only (never a user key): the decision's audit row names both handles.
CREATE TABLE mod_proposals (
    report_id  INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    moderator  TEXT NOT NULL,       -- handle of the first moderator
    at         REAL NOT NULL        -- rounded to 5 minutes, like every moderation time
);

-- A Reject or Block that can still be undone. Until `until` passes, the reporter is not told, the details are kept
-- and nobody is blocked; after it, housekeeping finishes the decision (ModerationService.expire_overdue).
CREATE TABLE mod_undo (
    report_id  INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,       -- no | blk
    reason     TEXT NOT NULL,
    moderator  TEXT NOT NULL,       -- handle
    until      REAL NOT NULL        -- exact: the window is two minutes
);

-- Facts about a report's author at the time of reporting, kept apart from the sealed author so the card can say
-- "account 0 days old" without opening anything: only a whole number of days (capped at 30) and a flag.
CREATE TABLE report_trust (
    report_id    INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    account_days INTEGER NOT NULL,  -- days between the account's first day and the report's day, at most 30
    new_account  INTEGER NOT NULL,  -- 1: account_days <= NEW_ACCOUNT_DAYS (today or yesterday by default)
    held         INTEGER NOT NULL DEFAULT 0  -- 1: over the undecided-reports cap; the card waits (not shown yet)
);
CREATE INDEX report_trust_held ON report_trust(held);

-- Verifiers: trusted people near places, granted by an admin like moderators. Their areas are their own alert
-- areas (set with /alerts), so they choose and change them themselves. A separate table (not users.role) so that a
-- moderator can also be a verifier. Erased with the user.
CREATE TABLE verifiers (
    user_key   TEXT PRIMARY KEY REFERENCES users(key) ON DELETE CASCADE,
    granted_on TEXT NOT NULL        -- day only
);

-- A verifier request for a report: offered to the verifiers near the place; the first who accepts gets it.
-- The verifier is named only by a handle (V-…) on the card and in the log; their user key is kept to check that the
-- answer comes from the person who accepted. Verifiers never see who reported.
CREATE TABLE verifications (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id    INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    requested_by TEXT NOT NULL,     -- moderator handle
    verifier     TEXT REFERENCES users(key) ON DELETE SET NULL,  -- who accepted; NULL while offered
    handle       TEXT,              -- the verifier's handle, for the card and the audit
    answer       TEXT CHECK (answer IS NULL OR answer IN ('seen', 'not_there', 'cant_tell')),
    photo        INTEGER NOT NULL DEFAULT 0,  -- 1: a photo was relayed to the moderators' chat
    created_at   REAL NOT NULL,
    answered_at  REAL
);
CREATE INDEX verifications_report ON verifications(report_id);
