"""Neighbourhood channels: which Telegram channel carries the alerts of which community area."""

from __future__ import annotations

from storage.db import Database


class ChannelRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set(self, area: int, chat: str, link: str | None, now: float) -> None:
        await self.db.execute(
            "INSERT INTO channels(area, chat, link, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(area) DO UPDATE SET chat = excluded.chat, link = excluded.link, "
            "updated_at = excluded.updated_at", (area, chat, link, now))

    async def remove(self, area: int) -> bool:
        return await self.db.execute("DELETE FROM channels WHERE area = ?", (area,)) > 0

    async def all(self) -> dict[int, tuple[str, str | None]]:
        rows = await self.db.fetchall("SELECT area, chat, link FROM channels")
        return {r["area"]: (r["chat"], r["link"]) for r in rows}
