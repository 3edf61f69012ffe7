"""The terminal front: chat with the same flows and database, no token needed.

Choices are numbered (as a Signal front would render them); ``/as NAME`` switches to another user, so one
person can play a resident and a moderator (``/as moderador`` receives the moderation cards).
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import itertools
import re
import sys
from typing import TextIO

from bot.chat import Button, Event, Reply, Sender
from bot.config import Settings
from bot.fronts.base import Host
from bot.fronts.dispatch import Dispatcher

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML → terminal text."""
    return html.unescape(_TAG.sub("", text))


def user_id_for(name: str) -> str:
    """A stable numeric id per console user name (console ids never collide with Telegram: other messenger)."""
    return str(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16))


MODERATORS = "moderador"


def console_settings(settings: Settings) -> Settings:
    """In the terminal, moderator cards go to the console user named 'moderador' (``/as moderador``), who is also
    an admin there: deciding needs a granted moderator or an admin (issue 11), and the demo must still work."""
    moderator = f"console:{user_id_for(MODERATORS)}"
    return settings.model_copy(update={"moderator_chat_id": moderator,
                                       "admin_ids": settings.admin_ids | {moderator}})


class ConsoleMessenger:
    """Delivers outbox messages to console users: shown at once, marked with the user they are for."""

    name = "console"

    def __init__(self, front: ConsoleFront) -> None:
        self.front = front
        self._ids = itertools.count(1)

    async def send(self, chat_id: str, reply: Reply, *, retry: bool = True) -> str | None:
        name = self.front.names.get(chat_id, chat_id)
        if name != self.front.user_name:
            print(self.front.t("console.message_for", name=name), file=self.front.out)
        self.front.render([reply], for_name=name)
        return reply.edit or str(next(self._ids))


class ConsoleFront:
    """A terminal chat on the same flows and database (``make run`` without a token)."""

    name = "console"

    def __init__(self, app: Host, out: TextIO = sys.stdout) -> None:
        self.app = app
        self.messenger = ConsoleMessenger(self)
        self.dispatcher = Dispatcher(app, self.messenger)
        self.out = out
        self.user_name = "vecino"
        self.names: dict[str, str] = {user_id_for(n): n for n in (self.user_name, MODERATORS)}
        self.buttons: dict[str, list[Button]] = {}
        self.language_code = app.settings.default_language

    def sender(self) -> Sender:
        uid = user_id_for(self.user_name)
        self.names[uid] = self.user_name
        return Sender("console", uid, uid, self.language_code, "private")

    def t(self, key: str, **kwargs: object) -> str:
        return plain(self.app.services.translator.t(self.app.settings.default_language, key, **kwargs))

    def parse(self, line: str) -> Event | None:
        sender = self.sender()
        line = line.strip()
        if not line:
            return None
        if line.isdigit():
            options = self.buttons.get(self.user_name, [])
            number = int(line)
            if not 1 <= number <= len(options):
                print(self.t("console.bad_number", number=number), file=self.out)
                return None
            return Event(sender, "choice", choice=options[number - 1].data)
        match = re.fullmatch(r"loc\s+(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)", line, re.IGNORECASE)
        if match:
            return Event(sender, "location", location=(float(match.group(1)), float(match.group(2))))
        if line.startswith("/") and len(line) > 1:
            command, _, args = line[1:].partition(" ")
            return Event(sender, "command", command=command.lower(), text=args.strip())
        return Event(sender, "text", text=line)

    def render(self, replies: list[Reply], for_name: str | None = None) -> None:
        options: list[Button] = []
        for reply in replies:
            if reply.location:
                print(f"📍 {reply.location[0]:.4f}, {reply.location[1]:.4f}", file=self.out)
            if reply.text:
                print(plain(reply.text), file=self.out)
            for row in reply.buttons:
                for button in row:
                    options.append(button)
                    print(f"  [{len(options)}] {plain(button.label)}", file=self.out)
            if reply.ask_location:
                print("  (loc LAT LON)", file=self.out)
        if options:
            self.buttons[for_name or self.user_name] = options
        print(file=self.out)

    async def handle_line(self, line: str) -> bool:
        """Process one input line; returns False to quit."""
        stripped = line.strip()
        if stripped in ("/quit", "/exit"):
            return False
        if stripped.startswith("/as ") and stripped[4:].strip():
            self.user_name = stripped[4:].strip()
            print(self.t("console.now_user", name=self.user_name), file=self.out)
            return True
        event = self.parse(line)
        if event is not None:
            self.render(await self.dispatcher.handle(event))
        return True

    async def start(self) -> None:
        """Nothing to connect to."""

    async def listen(self) -> None:
        """Input is read by :meth:`run`."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def run(self, stdin: TextIO = sys.stdin) -> None:
        print(self.t("console.intro"), file=self.out)
        await self.app.start_fronts([self])
        try:
            while True:
                print(f"{self.user_name}> ", end="", file=self.out, flush=True)
                line = await asyncio.to_thread(stdin.readline)
                if not line or not await self.handle_line(line):
                    break
        finally:
            await self.app.stop_fronts()
