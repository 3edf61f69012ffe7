"""The neutral vocabulary between messenger fronts and flows (design principle 1).

A front turns whatever its messenger delivers into an :class:`Event` and renders the :class:`Reply` objects a
flow returns. Flows never see Telegram (or Signal, or the terminal) and so can be tested and reused as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.services import Services
    from storage.users import UserRow

EventKind = Literal["command", "text", "choice", "location", "unsupported"]
CALLBACK_VERSION = "v1"
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Sender:
    """Who sent an event and where it came from. ``user_id`` is the person; ``chat_id`` the chat (may be a group)."""

    messenger: str
    user_id: str
    chat_id: str
    language_code: str | None = None
    chat_type: str = "private"

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"


@dataclass(frozen=True)
class Event:
    """One incoming thing: a command, free text, a button choice, a location, or something we cannot read."""

    sender: Sender
    kind: EventKind
    text: str = ""
    command: str = ""
    choice: str = ""
    location: tuple[float, float] | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if len(self.data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {self.data!r}")


@dataclass
class Reply:
    """One outgoing message. ``text`` is Telegram-subset HTML with every user-supplied part escaped."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    ask_location: str | None = None  # label of a "share my location" keyboard button
    remove_keyboard: bool = False
    edit: str | None = None  # id of an earlier message to replace instead of sending anew
    location: tuple[float, float] | None = None  # a map pin sent before the text
    silent: bool = False
    toast: str | None = None  # short notice for the pressed button (callback answer)

    def to_dict(self) -> dict[str, Any]:
        """Serialisable form, for the durable outbox."""
        return {
            "text": self.text,
            "buttons": [[[b.label, b.data] for b in row] for row in self.buttons],
            "ask_location": self.ask_location,
            "remove_keyboard": self.remove_keyboard,
            "location": list(self.location) if self.location else None,
            "silent": self.silent,
            "edit": self.edit,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            buttons=[[Button(label, cb) for label, cb in row] for row in data.get("buttons", [])],
            ask_location=data.get("ask_location"),
            remove_keyboard=bool(data.get("remove_keyboard")),
            location=tuple(data["location"]) if data.get("location") else None,  # type: ignore[arg-type]
            silent=bool(data.get("silent")),
            edit=data.get("edit"),
        )


def callback(flow: str, action: str, *args: object) -> str:
    """Build versioned callback data such as ``v1:mod:ok:42``. Never trusted for authorisation."""
    return ":".join([CALLBACK_VERSION, flow, action, *(str(a) for a in args)])


def parse_id(text: str) -> int | None:
    """A database id typed or carried in button data, or ``None``. Only ASCII digits, at most 18 of them, so that
    neither int() ("²".isdigit() is true) nor SQLite (64-bit integers) can fail on what a user sends."""
    text = text.strip().lstrip("#")
    if not text or len(text) > 18 or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def parse_callback(data: str) -> tuple[str, str, list[str]] | None:
    """Split callback data into (flow, action, args); ``None`` when malformed or of another version."""
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != CALLBACK_VERSION or not all(parts[1:3]):
        return None
    return parts[1], parts[2], parts[3:]


@dataclass
class Conversation:
    flow: str
    step: str
    data: dict[str, Any]


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
        return self.user.role == "admin" or self.services.is_admin_id(self.event.sender.user_id)

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
