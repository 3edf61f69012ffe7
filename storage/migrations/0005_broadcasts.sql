-- Organizer announcements. What is kept: who sent it (an O-XXXX pseudonym, never a user key), a description of the
-- audience, how many people it was queued for and when. The text itself is NOT kept here: it exists only in the
-- outbox payloads (one per recipient, AES-GCM-encrypted, wiped once sent). Progress is counted from the outbox
-- rows whose ref is 'broadcast:<id>'.
CREATE TABLE broadcasts (
    id         INTEGER PRIMARY KEY,
    author     TEXT NOT NULL,
    audience   TEXT NOT NULL,               -- 'all' | 'lang:es' | 'lang:en' | 'area:<place> <radius m>'
    recipients INTEGER NOT NULL DEFAULT 0,
    nonce      TEXT NOT NULL UNIQUE,        -- one per preview: a second press of Send cannot queue it twice
    created_at REAL NOT NULL
);
