"""The neutral chat vocabulary shared by fronts, flows, services and delivery (design principle 1).

A front turns whatever its messenger delivers into an :class:`Event` and renders the :class:`Reply` objects a
flow returns. Flows never see Telegram (or Signal, or the terminal) and so can be tested and reused as they are.
This module is the bottom of the import graph: it imports nothing from the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal["command", "text", "choice", "location", "media", "unsupported"]
CALLBACK_VERSION = "v1"
# The strictest messenger's limit (Telegram's callback_data): button data must fit it everywhere.
MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Limits:
    """What one messenger can show. Flows keep to :data:`COMMON_LIMITS`; a front renders within its own."""

    max_text: int  # characters of one message
    buttons: bool  # inline buttons (else choices are numbered in the text)
    location_pins: bool  # can send and receive map pins
    edits: bool  # can replace an earlier message's text
    max_button_label: int = 64


LIMITS: dict[str, Limits] = {
    # Telegram: 4,096 characters after entity parsing; 64-byte callback data (Bot API documentation).
    "telegram": Limits(max_text=4096, buttons=True, location_pins=True, edits=True),
    # Signal: no buttons and no pins through signal-cli; long texts are sent as an attachment above 2,000 chars,
    # so stay under it; edits are allowed for 24 h (see docs/signal.md).
    "signal": Limits(max_text=2000, buttons=False, location_pins=False, edits=True),
    "console": Limits(max_text=100_000, buttons=False, location_pins=True, edits=True),
}
COMMON_LIMITS = Limits(max_text=min(v.max_text for v in LIMITS.values()), buttons=False, location_pins=False,
                       edits=True)


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
    media: str = ""  # kind "media": photo | video | voice | audio | document | sticker
    media_ref: str = ""  # the messenger's reference to fetch it again (a Telegram file_id, a Signal attachment id)
    reply_to: str | None = None  # id of the bot's message this one answers (Telegram reply, Signal quote)


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
    delete: str | None = None  # id of an earlier message of ours to delete (nothing else is sent)
    # Ask the messenger not to allow forwarding or saving (Telegram's protect_content): moderators' cards, so that
    # a hostile group member cannot simply forward pending reports out of the group (issue 11).
    protect: bool = False
    # A photo sent before the text, by the messenger's own reference (a Telegram file_id): only ever a reporter's
    # photo on the moderators' card (issue 12). Fronts that cannot show it say so instead.
    photo: str | None = None

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
            "protect": self.protect,
            "photo": self.photo,
            "delete": self.delete,
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
            protect=bool(data.get("protect")),
            photo=data.get("photo") or None,
            delete=data.get("delete") or None,
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


# -- messenger-qualified ids: "telegram:123", "signal:+13125550100", "signal:<uuid>" -----------------------
DEFAULT_MESSENGER = "telegram"
KNOWN_MESSENGERS = ("telegram", "signal", "console")


def qualify(value: str | int, default: str = DEFAULT_MESSENGER) -> str:
    """``"123"`` → ``"telegram:123"``; ``"signal:+1312…"`` stays; raises ValueError on an unknown messenger."""
    text = str(value).strip()
    messenger, sep, rest = text.partition(":")
    if sep and messenger in KNOWN_MESSENGERS and rest:
        return f"{messenger}:{rest}"
    if sep and not messenger.lstrip("-").isdigit():
        raise ValueError(f"unknown messenger in {text!r} (use telegram:ID, signal:+NUMBER or signal:UUID)")
    if text.lstrip("-").isdigit():
        return f"{default}:{int(text)}"
    raise ValueError(f"not an id: {text!r} (use a number for Telegram, or telegram:ID / signal:+NUMBER)")


def split_qualified(qualified: str) -> tuple[str, str]:
    messenger, _, rest = qualified.partition(":")
    return messenger, rest
