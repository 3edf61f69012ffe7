-- Users are keyed by an HMAC of (messenger, chat id); the chat id is stored only encrypted (AES-GCM),
-- so the file alone does not say who uses the bot. No names, usernames or phone numbers, ever.
CREATE TABLE users (
    key        TEXT PRIMARY KEY,
    messenger  TEXT NOT NULL,
    address    BLOB NOT NULL,
    language   TEXT CHECK (language IS NULL OR language IN ('es', 'en')),
    role       TEXT NOT NULL DEFAULT 'resident' CHECK (role IN ('resident', 'moderator', 'organizer', 'admin')),
    active     INTEGER NOT NULL DEFAULT 1,
    created_on TEXT NOT NULL,   -- day only: finer timestamps would profile a person's habits
    seen_on    TEXT NOT NULL
);

-- One open conversation per user; written at every step so a restart resumes it. `data` is encrypted.
CREATE TABLE conversations (
    user_key   TEXT PRIMARY KEY REFERENCES users(key) ON DELETE CASCADE,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       BLOB NOT NULL,
    updated_at REAL NOT NULL
);
