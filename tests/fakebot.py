"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests and benchmarks.

The real python-telegram-bot stack talks to it over HTTP through ``base_url``. It keeps, per chat, what a
user would see (messages with edits applied, their buttons), plays users (text, commands, button presses,
locations, photos) and injects faults on demand: 429 with ``retry_after``, 500, slow answers, 403 blocked.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 999000
BOT_USERNAME = "vecinos_test_bot"
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "link_preview_options", "entities",
               "reply_parameters", "media", "results"}
SEND_METHODS = {"sendMessage", "sendLocation", "sendVenue", "sendPhoto"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    wall: float = field(default_factory=time.time)  # unix time, to compare with another process's clock

    @property
    def paid(self) -> bool:
        """Sent with allow_paid_broadcast."""
        return str(self.params.get("allow_paid_broadcast", "")).lower() == "true"


@dataclass
class Shown:
    """A message as the user sees it now (after any edits)."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    location: tuple[float, float] | None = None
    silent: bool = False
    edited: bool = False
    photo: str | None = None  # the file_id of a photo the bot sent (sendPhoto)
    protected: bool = False  # sent with protect_content

    @property
    def button_labels(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def button_data(self, label: str) -> str:
        for row in self.buttons:
            for b in row:
                if b["text"] == label or label in b["text"]:
                    return b["callback_data"]
        raise KeyError(f"no button {label!r} in {self.button_labels}")


@dataclass
class Fault:
    method: str | None  # None = any method
    status: int
    times: int
    retry_after: int | None = None
    delay: float = 0.0
    description: str = ""
    chat_id: int | None = None


class FakeBotAPI:
    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._new_update = asyncio.Event()
        self._activity = asyncio.Event()
        self.chats: dict[int, list[Shown]] = {}
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()
        self.random_failure_rate = 0.0
        self.random = random.Random(7)
        self.fetched_update_id = 0
        self.pushed_update_id = 0
        self.last_activity = time.monotonic()
        self.chat_members: dict[tuple[int, int], str] = {}
        self.deleted: list[tuple[int, int]] = []  # (chat, message) the bot deleted
        self.pending_work: Callable[[], bool] | None = None  # set by the tests: "the bot still has due work"
        # When set, sends with allow_paid_broadcast are refused with this 400 description (a bot that is not
        # eligible, or whose Stars balance is too low).
        self.refuse_paid_broadcast: str | None = None
        # Set by in-process tests: "the bot finished handling update N" (replies sent or deferred). Without it
        # (a bot in another process), settling falls back to waiting for a quiet period.
        self.handled: Callable[[int], bool] | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- server -------------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        if method != "getUpdates":
            self.last_activity = time.monotonic()
            self._activity.set()
        fault = self._take_fault(method, params)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status != 200:
                call.status = fault.status
                body: dict[str, Any] = {"ok": False, "error_code": fault.status,
                                        "description": fault.description or _DESCRIPTIONS.get(fault.status, "Error")}
                if fault.retry_after is not None:
                    body["parameters"] = {"retry_after": fault.retry_after}
                return web.json_response(body, status=fault.status)
        if method in SEND_METHODS and call.paid and self.refuse_paid_broadcast is not None:
            call.status = 400
            return web.json_response({"ok": False, "error_code": 400, "description": self.refuse_paid_broadcast},
                                     status=400)
        chat_id = _int(params.get("chat_id"))
        if method in SEND_METHODS | {"editMessageText"} and chat_id in self.blocked:
            call.status = 403
            return web.json_response({"ok": False, "error_code": 403,
                                      "description": "Forbidden: bot was blocked by the user"}, status=403)
        try:
            result = await getattr(self, "_m_" + method, self._m_default)(params)
        except _ApiError as exc:
            call.status = exc.status
            return web.json_response({"ok": False, "error_code": exc.status, "description": exc.description},
                                     status=exc.status)
        return web.json_response({"ok": True, "result": result})

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in JSON_FIELDS and isinstance(value, str):
                value = json.loads(value)
            params[key] = value
        return params

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        if method == "getUpdates":
            return None
        for fault in self.faults:
            if fault.times > 0 and fault.method in (None, method) and \
                    (fault.chat_id is None or fault.chat_id == _int(params.get("chat_id"))):
                fault.times -= 1
                return fault
        if self.random_failure_rate and method in SEND_METHODS and self.random.random() < self.random_failure_rate:
            kind = self.random.choice(["429", "500", "timeout"])
            if kind == "429":
                return Fault(method, 429, 1, retry_after=1)
            if kind == "500":
                return Fault(method, 500, 1)
            return Fault(method, 500, 1, delay=0.2, description="Gateway Timeout")
        return None

    # -- fault injection ----------------------------------------------------------------------------
    def fail(self, method: str | None, status: int, times: int = 1, *, retry_after: int | None = None,
             delay: float = 0.0, chat_id: int | None = None) -> None:
        self.faults.append(Fault(method, status, times, retry_after, delay, chat_id=chat_id))

    def slow(self, method: str | None, delay: float, times: int = 1) -> None:
        self.faults.append(Fault(method, 200, times, delay=delay))

    # -- Bot API methods ----------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Vecinos", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if pending:
                batch = pending[: int(params.get("limit") or 100)]
                self.fetched_update_id = max(self.fetched_update_id, batch[-1]["update_id"])
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                return batch
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                return []

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_length(params)
        return self._show(params, text=str(params.get("text", "")))

    async def _m_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._show(params, text="", location=(float(params["latitude"]), float(params["longitude"])))

    async def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        """A photo by file_id (what the bot re-sends): shown with its caption as the text."""
        return self._show(params, text=str(params.get("caption", "")), photo=str(params.get("photo", "")))

    async def _m_sendVenue(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._show(params, text=str(params.get("title", "")),
                          location=(float(params["latitude"]), float(params["longitude"])))

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, message_id = _int(params.get("chat_id")), _int(params.get("message_id"))
        shown = self.find(chat_id, message_id)
        if shown is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        _check_length(params)
        buttons = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        if shown.text == params.get("text") and shown.buttons == buttons:
            raise _ApiError(400, "Bad Request: message is not modified: specified new message content and "
                                 "reply markup are exactly the same")
        shown.text, shown.buttons, shown.edited = str(params.get("text", "")), buttons, True
        return self._message_json(shown)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        shown = self.find(_int(params.get("chat_id")), _int(params.get("message_id")))
        if shown is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        shown.buttons = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        return self._message_json(shown)

    async def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = _int(params.get("chat_id")), _int(params.get("message_id"))
        shown = self.find(chat_id, message_id)
        if shown is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        self.chats[chat_id].remove(shown)
        self.deleted.append((chat_id, message_id))
        return True

    async def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = _int(params.get("chat_id")), _int(params.get("user_id"))
        status = self.chat_members.get((chat_id, user_id), "left")
        return {"status": status, "user": {"id": user_id, "is_bot": False, "first_name": "U"}}

    async def _m_default(self, params: dict[str, Any]) -> bool:
        return True

    def _show(self, params: dict[str, Any], text: str, location: tuple[float, float] | None = None,
              photo: str | None = None) -> dict[str, Any]:
        chat_id = _int(params.get("chat_id"))
        markup = params.get("reply_markup") or {}
        shown = Shown(next(self._message_ids), chat_id, text, markup.get("inline_keyboard", []),
                      markup.get("keyboard", []), location,
                      silent=str(params.get("disable_notification", "")).lower() == "true", photo=photo,
                      protected=str(params.get("protect_content", "")).lower() == "true")
        self.chats.setdefault(chat_id, []).append(shown)
        return self._message_json(shown)

    def _message_json(self, shown: Shown) -> dict[str, Any]:
        chat_type = "private" if shown.chat_id > 0 else "supergroup"
        message: dict[str, Any] = {"message_id": shown.message_id, "date": int(time.time()),
                                   "chat": {"id": shown.chat_id, "type": chat_type},
                                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "Vecinos"}}
        if shown.location:
            message["location"] = {"latitude": shown.location[0], "longitude": shown.location[1]}
        elif shown.photo:
            message["photo"] = [{"file_id": shown.photo, "file_unique_id": "p" + shown.photo[-8:], "width": 90,
                                 "height": 90}]
        else:
            message["text"] = shown.text
        if shown.buttons:
            message["reply_markup"] = {"inline_keyboard": shown.buttons}
        return message

    # -- reading what users see ---------------------------------------------------------------------
    def find(self, chat_id: int, message_id: int) -> Shown | None:
        return next((m for m in self.chats.get(chat_id, []) if m.message_id == message_id), None)

    def transcript(self, chat_id: int) -> list[Shown]:
        return list(self.chats.get(chat_id, []))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- playing users ------------------------------------------------------------------------------
    def user(self, user_id: int, language_code: str | None = "es", first_name: str = "Vecina") -> FakeUser:
        return FakeUser(self, user_id, language_code, first_name)

    def push_update(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.pushed_update_id = update_id
        update["update_id"] = update_id
        self.updates.append(update)
        self._new_update.set()
        return update_id

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Poll ``predicate`` until it holds or ``timeout`` passes; returns its last value."""
        for _ in range(int(timeout / 0.05)):
            if predicate():
                return True
            await asyncio.sleep(0.05)
        return predicate()

    async def settle(self, update_id: int, *, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Wait until the bot finished ``update_id`` and has no due work left (``pending_work``, e.g. its outbox).

        In process the bot says when it finished an update (``handled``), so nothing here depends on timing.
        For a bot in another process, "finished" means it then made no API call for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        if self.handled is not None:
            while time.monotonic() < deadline:
                if self.handled(update_id) and (self.pending_work is None or not self.pending_work()):
                    return
                await asyncio.sleep(0.01)
            raise TimeoutError(f"bot did not settle after update {update_id}")
        while time.monotonic() < deadline:
            idle = self.pending_work is None or not self.pending_work()
            if idle and self.fetched_update_id >= update_id and time.monotonic() - self.last_activity >= quiet:
                fetched_at = time.monotonic()
                await asyncio.sleep(quiet)
                if self.last_activity < fetched_at and (self.pending_work is None or not self.pending_work()):
                    return
                continue
            await asyncio.sleep(0.02)
        raise TimeoutError(f"bot did not settle after update {update_id}")

    async def drain(self, *, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Wait until every update was fetched and handled and the bot's due work (its outbox) is delivered."""
        await self.settle(self.pushed_update_id, quiet=quiet, timeout=timeout)


class FakeUser:
    """One person chatting with the bot (private chat id = user id, as on Telegram)."""

    def __init__(self, api: FakeBotAPI, user_id: int, language_code: str | None, first_name: str) -> None:
        self.api, self.id, self.language_code, self.first_name = api, user_id, language_code, first_name

    def _from(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def _message(self, chat_id: int | None = None, **content: Any) -> dict[str, Any]:
        chat_id = self.id if chat_id is None else chat_id
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id > 0:
            chat["first_name"] = self.first_name
        else:
            chat["title"] = "Moderators"
        return {"message_id": next(self.api._message_ids), "date": int(time.time()), "chat": chat,
                "from": self._from(), **content}

    def seen(self, chat_id: int | None = None) -> list[Shown]:
        return self.api.transcript(self.id if chat_id is None else chat_id)

    @property
    def last(self) -> Shown:
        return self.seen()[-1]

    async def _exchange(self, update: dict[str, Any], chat_id: int | None = None, settle: bool = True,
                        quiet: float = 0.15) -> list[Shown]:
        chat = self.id if chat_id is None else chat_id
        before = {m.message_id: m.text for m in self.api.transcript(chat)}
        update_id = self.api.push_update(update)
        if settle:
            await self.api.settle(update_id, quiet=quiet)
        return [m for m in self.api.transcript(chat) if m.message_id not in before or before[m.message_id] != m.text]

    async def send(self, text: str, *, chat_id: int | None = None, settle: bool = True,
                   quiet: float = 0.15) -> list[Shown]:
        """Send text (a command when it starts with '/'); returns the messages that appeared or changed."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return await self._exchange({"message": self._message(chat_id, **content)}, chat_id, settle, quiet)

    async def send_location(self, lat: float, lon: float) -> list[Shown]:
        return await self._exchange({"message": self._message(location={"latitude": lat, "longitude": lon})})

    async def send_photo(self, file_id: str = "AgAD") -> list[Shown]:
        photo = [{"file_id": file_id, "file_unique_id": "u1", "width": 90, "height": 90}]
        return await self._exchange({"message": self._message(photo=photo)})

    async def press(self, label: str, *, message: Shown | None = None, chat_id: int | None = None,
                    settle: bool = True, quiet: float = 0.15) -> list[Shown]:
        """Press the button whose label contains ``label`` on ``message`` (default: the latest with buttons)."""
        chat = self.id if chat_id is None else chat_id
        if message is None:
            candidates = [m for m in self.api.transcript(chat) if m.buttons and
                          any(label in b for b in m.button_labels)]
            if not candidates:
                raise KeyError(f"no message with a button {label!r} in chat {chat}")
            message = candidates[-1]
        data = message.button_data(label)
        return await self.press_data(data, message, chat_id=chat_id, settle=settle, quiet=quiet)

    async def press_data(self, data: str, message: Shown, *, chat_id: int | None = None,
                         settle: bool = True, quiet: float = 0.15) -> list[Shown]:
        query = {"id": str(next(self.api._message_ids)), "from": self._from(), "chat_instance": "ci",
                 "data": data, "message": self.api._message_json(message)}
        return await self._exchange({"callback_query": query}, chat_id, settle, quiet)


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


_DESCRIPTIONS = {429: "Too Many Requests: retry later", 500: "Internal Server Error", 502: "Bad Gateway",
                 403: "Forbidden: bot was blocked by the user", 400: "Bad Request"}


def _check_length(params: dict[str, Any]) -> None:
    """Telegram counts the text after HTML parsing and refuses more than 4096 characters."""
    visible = html.unescape(re.sub(r"<[^>]+>", "", str(params.get("text", ""))))
    if len(visible) > 4096:
        raise _ApiError(400, "Bad Request: message is too long")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
