"""Routes a neutral event to the flow that owns it.

Order: global commands (/cancel) → a flow's command → a button's flow → the open conversation's flow →
the fallback flow (free text outside any flow). Each user's events are handled one at a time so that two
quick taps cannot race on the same conversation row.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref

from bot.chat import Event, Reply, parse_callback
from bot.services import Services
from handlers.flow import Context, Flow

log = logging.getLogger(__name__)

CANCEL_COMMANDS = ("cancel", "cancelar")


class Router:
    def __init__(self, services: Services, flows: list[Flow], fallback: Flow, menu: Flow) -> None:
        self.services = services
        self.flows = {f.name: f for f in flows}
        self.commands: dict[str, Flow] = {}
        for flow in flows:
            for command in flow.commands:
                if command in self.commands:
                    raise ValueError(f"command /{command} claimed twice")
                self.commands[command] = flow
        self.fallback = fallback
        self.menu = menu
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def handle(self, event: Event) -> list[Reply]:
        if not event.sender.is_private and event.kind in ("text", "location", "unsupported"):
            return []  # in groups we act only on commands and buttons, never on conversation
        user = await self.services.users.identify(event.sender)
        lock = self._locks.get(user.key)
        if lock is None:
            lock = self._locks[user.key] = asyncio.Lock()
        async with lock:
            return await self._handle(event, user)

    async def _handle(self, event: Event, user) -> list[Reply]:  # type: ignore[no-untyped-def]
        users = self.services.users
        lang = users.language_of(user, event.sender)
        conversation, updated_at = await users.load_conversation(user.key)
        ctx = Context(self.services, event, user, lang, conversation)
        prefix: list[Reply] = []
        timeout = self.services.settings.conversation_timeout_minutes * 60
        if conversation is not None and time.time() - updated_at > timeout:
            await ctx.end()
            prefix.append(Reply(ctx.t("core.conversation_expired")))
            if event.kind in ("text", "location", "unsupported"):
                return prefix + await self.menu.on_command(ctx, "menu", "")

        if event.kind == "command":
            if event.command in CANCEL_COMMANDS:
                had = ctx.conversation is not None
                await ctx.end()
                text = ctx.t("core.cancelled") if had else ctx.t("core.nothing_to_cancel")
                return prefix + [Reply(text, remove_keyboard=True)] + await self.menu.on_command(ctx, "menu", "")
            flow = self.commands.get(event.command)
            if flow is None:
                return prefix + [Reply(ctx.t("core.unknown_command", command="/" + event.command))] + \
                    await self.menu.on_command(ctx, "menu", "")
            return prefix + await flow.on_command(ctx, event.command, event.text)

        if event.kind == "choice":
            parsed = parse_callback(event.choice)
            flow = self.flows.get(parsed[0]) if parsed else None
            if parsed is None or flow is None:
                return prefix + [Reply(ctx.t("core.button_expired"), toast=ctx.t("core.button_expired"))]
            return prefix + await flow.on_choice(ctx, parsed[1], parsed[2])

        if ctx.conversation is not None:
            flow = self.flows.get(ctx.conversation.flow)
            if flow is not None:
                return prefix + await flow.on_input(ctx)
            await ctx.end()  # a flow that no longer exists (after an upgrade)
        return prefix + await self.fallback.on_input(ctx)
