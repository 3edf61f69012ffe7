"""One way for a test to play a person on any messenger, so that one end-to-end suite runs on every front.

A :class:`Chat` is a person in their private chat with the bot; a :class:`Room` is the moderators' group. Each has a
Telegram flavour (buttons pressed through the fake Bot API) and a Signal flavour (numbered options answered by
typing the number, or "C3 1" for a card in a group, through the fake signal-cli).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tests.fakebot import FakeBotAPI, FakeUser, Shown
from tests.fakesignal import FakeSignal, FakeSignalUser

_OPTION = re.compile(r"^\s+((?:C\d+ )?\d+) · (.*)$", re.M)


def options_in(text: str) -> dict[str, str]:
    """Signal rendering: {label: code} for the numbered lines of a message."""
    return {label: code for code, label in _OPTION.findall(text)}


@dataclass
class Said:
    """What the bot showed, messenger-neutral: the text (plain) and the labels offered."""

    text: str
    labels: list[str]


class Chat:
    messenger: str
    user_id: str

    async def send(self, text: str) -> list[Said]: raise NotImplementedError

    async def press(self, label: str) -> list[Said]: raise NotImplementedError

    async def send_place(self, place: str | tuple[float, float]) -> list[Said]: raise NotImplementedError

    def seen(self) -> list[Said]: raise NotImplementedError

    @property
    def last(self) -> Said:
        return self.seen()[-1]

    def saw(self, fragment: str) -> bool:
        return any(fragment in s.text for s in self.seen())


def _plain(text: str) -> str:
    from bot.fronts.signal import plain

    return plain(text)


class TelegramChat(Chat):
    messenger = "telegram"

    def __init__(self, api: FakeBotAPI, user_id: int, language_code: str) -> None:
        self.api = api
        self.user: FakeUser = api.user(user_id, language_code=language_code)
        self.user_id = str(user_id)

    @staticmethod
    def _said(shown: list[Shown]) -> list[Said]:
        return [Said(_plain(m.text), m.button_labels) for m in shown]

    async def send(self, text: str) -> list[Said]:
        return self._said(await self.user.send(text))

    async def press(self, label: str) -> list[Said]:
        return self._said(await self.user.press(label))

    async def send_place(self, place: str | tuple[float, float]) -> list[Said]:
        if isinstance(place, tuple):
            return self._said(await self.user.send_location(*place))
        return await self.send(place)

    def seen(self) -> list[Said]:
        return self._said(self.user.seen())


class SignalChat(Chat):
    messenger = "signal"

    def __init__(self, fake: FakeSignal, number: str) -> None:
        self.fake = fake
        self.user: FakeSignalUser = fake.user(number)
        self.user_id = self.user.uuid

    @staticmethod
    def _said(shown: list[Any]) -> list[Said]:
        return [Said(m.text, list(options_in(m.text))) for m in shown]

    async def send(self, text: str) -> list[Said]:
        return self._said(await self.user.send(text))

    async def press(self, label: str) -> list[Said]:
        for message in reversed(self.user.seen()):
            for shown_label, code in options_in(message.text).items():
                if label in shown_label:
                    return await self.send(code)
        raise KeyError(f"no option {label!r} offered to {self.user.number}")

    async def send_place(self, place: str | tuple[float, float]) -> list[Said]:
        if isinstance(place, tuple):  # Signal has no pins through signal-cli: people type the place
            raise ValueError("Signal chats type their place")
        return await self.send(place)

    def seen(self) -> list[Said]:
        return self._said(self.user.seen())


class Room:
    """The moderators' group; ``press`` acts on the newest card that contains ``card_text``."""

    messenger: str
    chat_id: str  # the qualified id for MODERATOR_CHAT_ID

    def cards(self) -> list[Said]: raise NotImplementedError

    async def press(self, member: Any, label: str, card_text: str) -> None: raise NotImplementedError


class TelegramRoom(Room):
    messenger = "telegram"

    def __init__(self, api: FakeBotAPI, chat: int = -100777) -> None:
        self.api, self.chat = api, chat
        self.chat_id = f"telegram:{chat}"

    def member(self, user_id: int) -> FakeUser:
        return self.api.user(user_id, language_code="es")

    def _cards(self) -> list[Shown]:
        return [m for m in self.api.transcript(self.chat) if m.buttons and "#" in m.text]

    def cards(self) -> list[Said]:
        return [Said(_plain(m.text), m.button_labels) for m in self.api.transcript(self.chat) if m.text]

    async def press(self, member: Any, label: str, card_text: str) -> None:
        card = next(m for m in reversed(self._cards()) if card_text in m.text)
        await member.press(label, message=card, chat_id=self.chat)


class SignalRoom(Room):
    messenger = "signal"

    def __init__(self, fake: FakeSignal, members: list[str]) -> None:
        self.fake = fake
        self.people = [fake.user(n) for n in members]
        self.group = fake.group("moderadores", members=self.people)
        self.chat_id = f"signal:group:{self.group.id}"

    def member(self, number: str) -> FakeSignalUser:
        return self.fake.user(number)

    def cards(self) -> list[Said]:
        return [Said(m.text, list(options_in(m.text))) for m in self.fake.group_transcript(self.group.id)]

    async def press(self, member: Any, label: str, card_text: str) -> None:
        for message in reversed(self.fake.group_transcript(self.group.id)):
            if card_text in message.text:
                code = next(c for shown, c in options_in(message.text).items() if label in shown)
                await member.send_group(self.group.id, code)
                return
        raise KeyError(f"no card with {card_text!r}")
