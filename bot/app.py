"""Wiring: storage → services → flows → router. Messenger fronts take an :class:`App` and talk to its router."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from bot.config import Settings
from bot.delivery import DeliveryWorker, Outbox
from bot.faq import FaqStore
from bot.fronts.base import Messenger
from bot.geo import build_geo_service
from bot.privacy import Keyring
from bot.services import Services
from bot.services.alerts import AlertService
from bot.services.broadcasts import BroadcastService
from bot.services.moderation import ModerationService
from bot.services.reports import ReportService
from bot.services.users import UserService
from handlers.account import AccountFlow
from handlers.admin import AdminFlow
from handlers.alerts import AlertsFlow
from handlers.broadcast import BroadcastFlow
from handlers.flow import Flow
from handlers.moderation import ModerationFlow
from handlers.report import ReportFlow
from handlers.rights import RightsFlow
from handlers.router import Router
from handlers.start import StartFlow
from i18n import LANGUAGES, Translator
from storage.alerts import AlertRepository
from storage.broadcasts import BroadcastRepository
from storage.db import Database
from storage.outbox import OutboxRepository
from storage.reports import ReportRepository
from storage.users import UserRepository

log = logging.getLogger(__name__)

# An unfinished conversation ends (politely, at the next message) after CONVERSATION_TIMEOUT_MINUTES; its row,
# which may hold a draft report, is deleted after a day even if the person never writes again.
CONVERSATION_RETENTION_S = 24 * 3600

# Commands shown in the messenger's menu, per language: (command in English, command in Spanish, description key).
COMMAND_MENU: list[tuple[str, str, str]] = [
    ("start", "start", "core.cmd_start"),
    ("report", "reportar", "core.cmd_report"),
    ("rights", "derechos", "core.cmd_rights"),
    ("alerts", "alertas", "core.cmd_alerts"),
    ("help", "ayuda", "core.cmd_help"),
    ("language", "idioma", "core.cmd_language"),
    ("privacy", "privacidad", "core.cmd_privacy"),
    ("cancel", "cancelar", "core.cmd_cancel"),
    ("delete_me", "borrarme", "core.cmd_delete_me"),
]


class App:
    """One running Vecinos: database, services and the router every front shares."""

    def __init__(self, services: Services, router: Router, flows: list[Flow]) -> None:
        self.services = services
        self.router = router
        self.flows = flows
        self.worker: DeliveryWorker | None = None

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @classmethod
    async def create(cls, settings: Settings) -> App:
        db = await Database.open(settings.database_path)
        keyring = Keyring(settings.resolved_secret())
        translator = Translator(settings.default_language)
        users = UserService(UserRepository(db), keyring, settings.default_language)
        geo = build_geo_service(gazetteer_path=settings.gazetteer_path, margin_km=settings.service_area_margin_km,
                                coarsen_m=settings.coarsen_meters, geocoder=settings.geocoder,
                                user_agent=settings.geocoder_user_agent)
        outbox = Outbox(OutboxRepository(db), keyring)
        report_repo = ReportRepository(db)
        moderation = ModerationService(db, report_repo, outbox, users, keyring, translator, settings)
        reports = ReportService(db, report_repo, keyring, moderation, max_per_hour=settings.reports_per_hour,
                                cooldown_seconds=settings.report_cooldown_seconds)
        faq = FaqStore.load(settings.faq_path)
        alerts = AlertService(db, AlertRepository(db), outbox, geo, faq, translator, settings)
        moderation.on_publish = alerts.on_publish
        moderation.on_correction = alerts.on_correction
        broadcasts = BroadcastService(db, BroadcastRepository(db), outbox, keyring, translator, settings)
        services = Services(settings=settings, db=db, keyring=keyring, translator=translator, users=users,
                            geo=geo, outbox=outbox, reports=reports, moderation=moderation, faq=faq, alerts=alerts,
                            broadcasts=broadcasts)
        start = StartFlow()
        report_flow = ReportFlow()
        rights = RightsFlow()
        alerts_flow = AlertsFlow()
        start.register("report", report_flow)
        start.register("rights", rights)
        start.register("alerts", alerts_flow)
        flows: list[Flow] = [start, AccountFlow(), report_flow, ModerationFlow(), rights, alerts_flow,
                             AdminFlow(), BroadcastFlow()]
        router = Router(services, flows, fallback=rights, menu=start)
        return cls(services, router, flows)

    async def start_delivery(self, messengers: Mapping[str, Messenger]) -> None:
        """Start the one delivery worker for this database (a front calls this once it can send)."""
        settings = self.settings
        self.worker = DeliveryWorker(self.services.db, self.services.outbox.repo, self.services.users,
                                     self.services.keyring, messengers,
                                     rate_per_second=settings.delivery_rate_per_second,
                                     per_chat_interval=settings.delivery_per_chat_interval,
                                     group_per_minute=settings.delivery_group_per_minute,
                                     max_attempts=settings.delivery_max_attempts)
        self.services.outbox.listen(self.worker.wake)
        await self.worker.start()

    async def housekeeping(self) -> None:
        """Periodic duties: expire undecided reports and old alerts, send digests, forget delivered messages."""
        await self.services.moderation.expire_overdue()
        await self.services.alerts.housekeeping()
        now = time.time()
        settings = self.settings
        await self.services.outbox.repo.purge(now - settings.outbox_retention_days * 86400)
        await self.services.reports.repo.purge(now, settings.report_retention_days * 86400)
        await self.services.users.repo.purge_conversations(now - CONVERSATION_RETENTION_S)

    async def stop_delivery(self) -> None:
        """Stop the worker before the front that sends for it; rows in flight are resent on the next start."""
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None

    async def close(self) -> None:
        await self.services.broadcasts.stop()  # progress editing only; queued broadcasts stay in the outbox
        await self.stop_delivery()
        await self.services.db.close()

    def command_menu(self, lang: str) -> list[tuple[str, str]]:
        """(command, description) pairs for a language's command menu."""
        index = 0 if lang == "en" else 1
        t = self.services.translator
        return [(entry[index], t.t(lang, entry[2])) for entry in COMMAND_MENU]

    @staticmethod
    def languages() -> tuple[str, ...]:
        return LANGUAGES
