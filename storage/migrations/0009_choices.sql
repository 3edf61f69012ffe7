-- Numbered choices for fronts without buttons (Signal, issue 10): the options last shown in a chat, so that a
-- reply "2" (or "C3 2" in a group with several cards open) means the same after a restart. The chat is keyed by
-- an HMAC (never the number or group id); the button data is encrypted like the outbox payloads.
CREATE TABLE choices (
    chat_key   TEXT NOT NULL,
    tag        TEXT NOT NULL,          -- '' for the latest set in a private chat; 'C<n>' for a card in a group
    options    BLOB NOT NULL,          -- encrypted JSON list of button data, in the numbered order
    message_id TEXT,                   -- the message that showed them (a Signal timestamp)
    created_at REAL NOT NULL,
    PRIMARY KEY (chat_key, tag)
);
CREATE INDEX choices_by_message ON choices(chat_key, message_id);
CREATE INDEX choices_by_age ON choices(created_at);
