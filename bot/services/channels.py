"""Neighbourhood channels (issue 15): one post in a channel the deployment owns reaches all its subscribers at once,
where the bot's own fan-out is held to about 30 messages a second. A community area (or several) maps to a
channel; confirmed alerts, their corrections and organizers' broadcasts for that area are also posted there, in
both languages and with no reporter data. Posts go through the same durable outbox (paced like a group)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import parse_channels, valid_chat  # noqa: F401 (re-exported for the admin flow)

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.geo import GeoService
    from storage.channels import ChannelRepository



@dataclass(frozen=True)
class Channel:
    area: int
    chat: str  # @username or -100… id: where the bot posts
    link: str | None  # what residents are shown (t.me/username, or an invite link for a private channel)


class ChannelService:
    def __init__(self, settings: Settings, repo: ChannelRepository, geo: GeoService) -> None:
        self.settings, self.repo, self.geo = settings, repo, geo

    async def all(self) -> dict[int, Channel]:
        if self.settings.telegram_bot_token is None:  # channels are Telegram's: nothing to post to without it
            return {}
        merged = {**parse_channels(self.settings.neighbourhood_channels), **await self.repo.all()}
        return {area: Channel(area, chat, link or _public_link(chat)) for area, (chat, link) in merged.items()}

    async def for_area(self, area: int | None) -> Channel | None:
        return (await self.all()).get(area) if area is not None else None

    async def for_point(self, lat: float, lon: float) -> Channel | None:
        area = self.geo.offline.area_at(lat, lon)
        return await self.for_area(area.number if area else None)

    async def set(self, area: int, chat: str, link: str | None) -> None:
        await self.repo.set(area, chat, link, time.time())

    async def remove(self, area: int) -> bool:
        return await self.repo.remove(area)

    def area_name(self, area: int) -> str | None:
        """The community area's official name, or None when there is no such area."""
        return self.geo.offline.area_name(area) if area in self.geo.offline.by_number else None


def _public_link(chat: str) -> str | None:
    return f"https://t.me/{chat[1:]}" if chat.startswith("@") else None
