"""Users and their conversation state (one aggregate: a conversation belongs to a user).

Deleting a user or a conversation marks the database so that its write-ahead log is checkpointed and truncated
right after (storage/db.py): a copy of the folder must not give back what /delete_me erased.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class UserRow:
    key: str
    messenger: str
    address: bytes
    language: str | None
    role: str
    active: bool
    seen_on: str = ""
    handle_salt: bytes = b""  # random per user row: a new row (after /delete_me) gets a new reporter handle


@dataclass(frozen=True)
class ConversationRow:
    flow: str
    step: str
    data: bytes
    updated_at: float


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert_seen(self, key: str, messenger: str, address: bytes, today: str) -> UserRow:
        """Create the user on first contact, else mark seen today and active again (they wrote to us)."""
        await self.db.execute(
            "INSERT INTO users(key, messenger, address, created_on, seen_on, handle_salt) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET seen_on = excluded.seen_on, active = 1 "
            "WHERE users.seen_on != excluded.seen_on OR users.active = 0",
            (key, messenger, address, today, today, os.urandom(16)),
        )
        row = await self.get(key)
        assert row is not None
        return row

    async def get(self, key: str) -> UserRow | None:
        row = await self.db.fetchone(
            "SELECT key, messenger, address, language, role, active, seen_on, handle_salt FROM users WHERE key = ?",
            (key,),
        )
        if row is None:
            return None
        return UserRow(row["key"], row["messenger"], row["address"], row["language"], row["role"],
                       bool(row["active"]), row["seen_on"], bytes(row["handle_salt"] or b""))

    async def set_language(self, key: str, language: str) -> None:
        await self.db.execute("UPDATE users SET language = ? WHERE key = ?", (language, key))

    async def set_role(self, key: str, role: str) -> None:
        await self.db.execute("UPDATE users SET role = ? WHERE key = ?", (role, key))

    async def set_active(self, key: str, active: bool) -> None:
        await self.db.execute("UPDATE users SET active = ? WHERE key = ?", (int(active), key))

    async def delete(self, key: str) -> bool:
        """Erase a user; rows of other aggregates that reference it cascade or are anonymised by their FKs."""
        self.db.erased()
        return await self.db.execute("DELETE FROM users WHERE key = ?", (key,)) > 0

    async def count(self) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) AS n FROM users")
        return int(row["n"]) if row else 0

    # -- conversation state -------------------------------------------------------------------------
    async def get_conversation(self, key: str) -> ConversationRow | None:
        row = await self.db.fetchone(
            "SELECT flow, step, data, updated_at FROM conversations WHERE user_key = ?", (key,)
        )
        return ConversationRow(row["flow"], row["step"], row["data"], row["updated_at"]) if row else None

    async def save_conversation(self, key: str, flow: str, step: str, data: bytes, now: float) -> None:
        await self.db.execute(
            "INSERT INTO conversations(user_key, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(user_key) DO UPDATE SET flow = excluded.flow, step = excluded.step, "
            "data = excluded.data, updated_at = excluded.updated_at",
            (key, flow, step, data, now),
        )

    async def purge_conversations(self, before: float) -> int:
        """Unfinished conversations (drafts may hold a place and details) are deleted after a while."""
        self.db.erased()
        return await self.db.execute("DELETE FROM conversations WHERE updated_at < ?", (before,))

    async def clear_conversation(self, key: str) -> None:
        self.db.erased()  # a finished or cancelled draft may have held a place and details
        await self.db.execute("DELETE FROM conversations WHERE user_key = ?", (key,))
