-- Neighbourhood channels (issue 15): a Telegram channel the deployment owns, per community area. Confirmed alerts,
-- corrections and broadcasts for the area are also posted there (one post reaches every subscriber at once).
-- Set by admins with /channel_set; NEIGHBOURHOOD_CHANNELS in the settings gives defaults that these rows override.
CREATE TABLE channels (
    area       INTEGER PRIMARY KEY,      -- community area number
    chat       TEXT NOT NULL,            -- @username or -100… id
    link       TEXT,                     -- a public or invite link shown to residents
    updated_at REAL NOT NULL
);
