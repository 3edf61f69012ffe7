"""The domain services a flow can reach through its context. Built once by :mod:`bot.app`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.privacy import Keyring
from bot.services.roles import RoleService
from bot.services.users import UserService
from i18n import Translator
from storage.db import Database

if TYPE_CHECKING:
    from bot.delivery.outbox import Outbox
    from bot.faq import FaqStore
    from bot.geo import GeoService
    from bot.services.alerts import AlertService
    from bot.services.broadcasts import BroadcastService
    from bot.services.channels import ChannelService
    from bot.services.moderation import ModerationService
    from bot.services.reports import ReportService


@dataclass
class Services:
    settings: Settings
    db: Database
    keyring: Keyring
    translator: Translator
    users: UserService
    geo: GeoService
    outbox: Outbox
    reports: ReportService
    moderation: ModerationService
    faq: FaqStore
    alerts: AlertService
    broadcasts: BroadcastService
    roles: RoleService
    channels: ChannelService

    async def erase_user(self, key: str) -> None:
        """/delete_me: unlink the person's reports (and clear a pending one's details and relays), then remove the
        user row; every table that refers to it cascades. What remains is keyed only by keyed hashes that no other
        table shares: a moderators' block (salted, lapses after 90 days) and, for an hour, the report quota
        (migration 0008). The write-ahead log is truncated after each step (storage/db.py), so no copy of the
        folder gives the erased rows back. The moderators' cards of those reports are redrawn (no handle, no
        details), through the outbox."""
        await self.moderation.finish_for_reporter(key)  # a pending Block applies before the key is gone
        unlinked = await self.reports.repo.forget_reporter(key)
        await self.users.delete(key)
        await self.moderation.redraw_cards(unlinked)
        await self.db.checkpoint()
