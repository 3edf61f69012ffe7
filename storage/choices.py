"""Numbered choices for fronts without buttons: which option each number stood for, per chat (and per card tag)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database


@dataclass(frozen=True)
class ChoiceRow:
    tag: str
    options: bytes
    message_id: str | None


class ChoiceRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, chat_key: str, tag: str, options: bytes, message_id: str | None, now: float) -> None:
        await self.db.execute(
            "INSERT INTO choices(chat_key, tag, options, message_id, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(chat_key, tag) DO UPDATE SET options = excluded.options, "
            "message_id = excluded.message_id, created_at = excluded.created_at",
            (chat_key, tag, options, message_id, now))

    async def set_message(self, chat_key: str, tag: str, message_id: str) -> None:
        await self.db.execute("UPDATE choices SET message_id = ? WHERE chat_key = ? AND tag = ?",
                              (message_id, chat_key, tag))

    async def get(self, chat_key: str, tag: str) -> ChoiceRow | None:
        row = await self.db.fetchone("SELECT tag, options, message_id FROM choices WHERE chat_key = ? AND tag = ?",
                                     (chat_key, tag))
        return ChoiceRow(row["tag"], row["options"], row["message_id"]) if row else None

    async def by_message(self, chat_key: str, message_id: str) -> ChoiceRow | None:
        row = await self.db.fetchone(
            "SELECT tag, options, message_id FROM choices WHERE chat_key = ? AND message_id = ?",
            (chat_key, message_id))
        return ChoiceRow(row["tag"], row["options"], row["message_id"]) if row else None

    async def tags(self, chat_key: str) -> list[str]:
        rows = await self.db.fetchall("SELECT tag FROM choices WHERE chat_key = ? ORDER BY created_at", (chat_key,))
        return [r["tag"] for r in rows]

    async def purge(self, before: float) -> int:
        return await self.db.execute("DELETE FROM choices WHERE created_at < ?", (before,))
