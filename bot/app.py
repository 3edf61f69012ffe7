"""Wiring: storage → services → flows → router. Messenger fronts take an :class:`App` and talk to its router."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Mapping

from bot.config import Settings
from bot.delivery import DeliveryWorker, Outbox
from bot.faq import FaqStore
from bot.fronts.base import Front, Messenger
from bot.geo import build_geo_service
from bot.privacy import Keyring
from bot.services import Services
from bot.services.alerts import AlertService
from bot.services.broadcasts import BroadcastService
from bot.services.channels import ChannelService
from bot.services.moderation import ModerationService
from bot.services.reports import ReportService
from bot.services.roles import RoleService
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
from handlers.verify import VerifyFlow
from handlers.views import Views
from i18n import LANGUAGES, Translator
from storage.alerts import AlertRepository
from storage.broadcasts import BroadcastRepository
from storage.channels import ChannelRepository
from storage.db import Database
from storage.outbox import OutboxRepository
from storage.reports import ReportRepository
from storage.users import UserRepository

log = logging.getLogger(__name__)

# An unfinished conversation ends (politely, at the next message) after CONVERSATION_TIMEOUT_MINUTES; its row,
# which may hold a draft report, is deleted after a day even if the person never writes again.
CONVERSATION_RETENTION_S = 24 * 3600
HOUSEKEEPING_INTERVAL_S = 60.0
# Moderators' cards show how far an alert got ("sent to N of M"); refreshed while the alert is this recent.
REACH_REFRESH_S = 2 * 3600.0

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
        self.fronts: list[Front] = []
        self._housekeeping_task: asyncio.Task[None] | None = None

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
        roles = RoleService(settings)
        views = Views(translator)
        moderation = ModerationService(db, report_repo, outbox, users, keyring, translator, settings, roles, views)
        reports = ReportService(db, report_repo, keyring, moderation, max_per_hour=settings.reports_per_hour,
                                cooldown_seconds=settings.report_cooldown_seconds)
        faq = FaqStore.load(settings.faq_path, cache_dir=settings.faq_cache_dir)
        alerts = AlertService(db, AlertRepository(db), outbox, geo, faq, translator, settings)
        moderation.on_publish = alerts.on_publish
        moderation.on_correction = alerts.on_correction
        moderation.reach_of = alerts.reach_of_report
        channels = ChannelService(settings, ChannelRepository(db), geo)
        alerts.channels = channels
        broadcasts = BroadcastService(db, BroadcastRepository(db), outbox, keyring, translator, settings, views,
                                      geo=geo)
        broadcasts.channels = channels
        services = Services(settings=settings, db=db, keyring=keyring, translator=translator, users=users,
                            geo=geo, outbox=outbox, reports=reports, moderation=moderation, faq=faq, alerts=alerts,
                            broadcasts=broadcasts, roles=roles, channels=channels)
        start = StartFlow()
        report_flow = ReportFlow()
        rights = RightsFlow()
        alerts_flow = AlertsFlow()
        start.register("report", report_flow)
        start.register("rights", rights)
        start.register("alerts", alerts_flow)
        flows: list[Flow] = [start, AccountFlow(), report_flow, ModerationFlow(), rights, alerts_flow,
                             AdminFlow(), BroadcastFlow(), VerifyFlow()]
        router = Router(services, flows, fallback=rights, menu=start)
        return cls(services, router, flows)

    async def start_delivery(self, messengers: Mapping[str, Messenger]) -> None:
        """Start the one delivery worker for this database; it paces each messenger separately."""
        settings = self.settings
        self.worker = DeliveryWorker(self.services.db, self.services.outbox.repo, self.services.users,
                                     self.services.keyring, messengers,
                                     rate_per_second=settings.delivery_rate_per_second,
                                     per_chat_interval=settings.delivery_per_chat_interval,
                                     group_per_minute=settings.delivery_group_per_minute,
                                     max_attempts=settings.delivery_max_attempts,
                                     base_backoff=settings.delivery_base_backoff,
                                     rates={"signal": settings.signal_rate_per_second},
                                     paid_rate_per_second=(settings.paid_broadcast_rate_per_second
                                                           if settings.paid_broadcast else None),
                                     paid_daily_stars_cap=settings.paid_broadcast_daily_stars_cap)
        self.services.outbox.listen(self.worker.wake)
        await self.worker.start()

    async def housekeeping(self) -> None:
        """Periodic duties: expire undecided reports and old alerts, send digests, forget delivered messages."""
        await self.services.moderation.expire_overdue()
        await self.services.alerts.housekeeping()
        recent = await self.services.alerts.recent_alert_reports(time.time() - REACH_REFRESH_S)
        await self.services.moderation.refresh_reach(recent)
        await self.services.moderation.delete_old_cards()
        now = time.time()
        settings = self.settings
        await self.services.outbox.repo.purge(now - settings.outbox_retention_days * 86400)
        await self.services.reports.repo.purge(now, settings.report_retention_days * 86400)
        await self.services.users.repo.purge_conversations(now - CONVERSATION_RETENTION_S)

    async def _housekeeping_loop(self, first: float = 5.0, interval: float = HOUSEKEEPING_INTERVAL_S) -> None:
        await asyncio.sleep(first)
        while True:
            try:
                await self.housekeeping()
            except Exception:  # a failed round must not end housekeeping for good
                log.exception("housekeeping failed")
            await asyncio.sleep(interval)

    @staticmethod
    def configured_front_names(settings: Settings) -> list[str]:
        names = []
        if settings.telegram_bot_token is not None:
            names.append("telegram")
        if settings.signal_rpc_url and settings.signal_account:
            names.append("signal")
        return names

    def configured_fronts(self) -> list[Front]:
        """Every front whose settings are present (Telegram token; Signal RPC URL and account)."""
        fronts: list[Front] = []
        names = self.configured_front_names(self.settings)
        if "telegram" in names:
            from bot.fronts.telegram import TelegramFront

            fronts.append(TelegramFront(self))
        if "signal" in names:
            from bot.fronts.signal import SignalFront

            fronts.append(SignalFront(self))
        return fronts

    async def start_fronts(self, fronts: list[Front]) -> None:
        """Connect every front, start the one worker (with each front's messenger) and housekeeping, then let
        the fronts receive. Owned here so that no front starts delivery or housekeeping itself."""
        for front in fronts:
            await front.start()
            self.fronts.append(front)
        await self.start_delivery({front.name: front.messenger for front in fronts})
        if self.settings.housekeeping_interval_seconds > 0:
            self._housekeeping_task = asyncio.create_task(
                self._housekeeping_loop(interval=self.settings.housekeeping_interval_seconds))
        # The rights search trains its classifier (about a second) in a thread while the worker already delivers
        # what was queued before a restart; the fronts listen once it is built, so no message waits behind the
        # build and no handler competes with it for the interpreter (FaqStore.warm).
        await asyncio.to_thread(self.services.faq.warm)
        for front in fronts:
            await front.listen()

    async def stop_fronts(self) -> None:
        """Stop the worker before the fronts that send for it; rows in flight are resent on the next start."""
        if self._housekeeping_task is not None:
            self._housekeeping_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping_task
            self._housekeeping_task = None
        await self.stop_delivery()
        for front in reversed(self.fronts):
            try:
                await front.stop()
            except Exception:
                log.exception("could not stop the %s front cleanly", front.name)
        self.fronts.clear()

    async def serve(self, fronts: list[Front]) -> None:
        """Run the fronts until SIGINT/SIGTERM, then shut down within 10 s."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start_fronts(fronts)
        log.info("Vecinos is running on %s", ", ".join(f.name for f in fronts))
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            await asyncio.wait_for(self.stop_fronts(), timeout=9)

    async def stop_delivery(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None

    async def close(self) -> None:
        await self.services.broadcasts.stop()  # progress editing only; queued broadcasts stay in the outbox
        await self.stop_fronts()
        await self.services.db.close()

    def command_menu(self, lang: str) -> list[tuple[str, str]]:
        """(command, description) pairs for a language's command menu."""
        index = 0 if lang == "en" else 1
        t = self.services.translator
        return [(entry[index], t.t(lang, entry[2])) for entry in COMMAND_MENU]

    @staticmethod
    def languages() -> tuple[str, ...]:
        return LANGUAGES
