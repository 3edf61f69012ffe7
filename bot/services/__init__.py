"""The domain services a flow can reach through its context. Built once by :mod:`bot.app`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.privacy import Keyring
from bot.services.users import UserService
from i18n import Translator
from storage.db import Database

if TYPE_CHECKING:
    from bot.delivery import Outbox
    from bot.faq import FaqStore
    from bot.geo import GeoService
    from bot.services.alerts import AlertService
    from bot.services.broadcasts import BroadcastService
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

    async def erase_user(self, key: str) -> None:
        """/delete_me: remove the user row; every table that refers to it cascades or anonymises. Kept, keyed
        only by the pseudonym: a moderators' block, and for an hour the report quota (see migration 0006)."""
        await self.reports.repo.forget_reporter(key)
        await self.users.delete(key)

    def is_admin_id(self, user_id: str) -> bool:
        try:
            return int(user_id) in self.settings.admin_ids
        except ValueError:
            return False
