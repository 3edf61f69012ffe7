"""Wiring: storage → services → flows → router. Messenger fronts take an :class:`App` and talk to its router."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.privacy import Keyring
from bot.services import Services
from bot.users import UserService
from handlers.account import AccountFlow
from handlers.core import Flow
from handlers.router import Router
from handlers.start import FallbackFlow, StartFlow
from i18n import LANGUAGES, Translator
from storage.db import Database
from storage.users import UserRepository

log = logging.getLogger(__name__)

# Commands shown in the messenger's menu, per language: (command in English, command in Spanish, description key).
COMMAND_MENU: list[tuple[str, str, str]] = [
    ("start", "start", "core.cmd_start"),
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

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @classmethod
    async def create(cls, settings: Settings) -> App:
        db = await Database.open(settings.database_path)
        keyring = Keyring(settings.resolved_secret())
        translator = Translator(settings.default_language)
        users = UserService(UserRepository(db), keyring, settings.default_language)
        services = Services(settings=settings, db=db, keyring=keyring, translator=translator, users=users)
        start = StartFlow()
        flows: list[Flow] = [start, AccountFlow()]
        router = Router(services, flows, fallback=FallbackFlow(), menu=start)
        return cls(services, router, flows)

    async def close(self) -> None:
        await self.services.db.close()

    def command_menu(self, lang: str) -> list[tuple[str, str]]:
        """(command, description) pairs for a language's command menu."""
        index = 0 if lang == "en" else 1
        t = self.services.translator
        return [(entry[index], t.t(lang, entry[2])) for entry in COMMAND_MENU]

    @staticmethod
    def languages() -> tuple[str, ...]:
        return LANGUAGES
