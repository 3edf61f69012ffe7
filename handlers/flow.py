"""What a flow step may use (:class:`Context`) and the base of every conversation flow (:class:`Flow`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.chat import Conversation, Event, Reply

if TYPE_CHECKING:
    from bot.services import Services
    from bot.services.users import UserRow


class Context:
    """What a flow step may use: the event, the user, their language, their conversation and the services."""

    def __init__(self, services: Services, event: Event, user: UserRow, lang: str,
                 conversation: Conversation | None) -> None:
        self.services = services
        self.event = event
        self.user = user
        self.lang = lang
        self.conversation = conversation

    def t(self, key: str, /, **kwargs: object) -> str:
        return self.services.translator.t(self.lang, key, **kwargs)

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin" or self.services.roles.is_admin_id(self.event.sender)

    async def set_step(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Persist the conversation step (committed before the bot answers, so a restart resumes here)."""
        if data is None:
            data = self.conversation.data if self.conversation and self.conversation.flow == flow else {}
        self.conversation = Conversation(flow, step, data)
        await self.services.users.save_conversation(self.user.key, self.conversation)

    async def end(self) -> None:
        self.conversation = None
        await self.services.users.clear_conversation(self.user.key)


class Flow:
    """Base for a conversation flow. Subclasses name their commands and override the hooks they need."""

    name: str = ""
    commands: tuple[str, ...] = ()

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        return []

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        return []

    async def on_input(self, ctx: Context) -> list[Reply]:
        """Text, a location or unreadable content while this flow's conversation is open."""
        return []
