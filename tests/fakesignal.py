"""A fake ``signal-cli daemon`` on 127.0.0.1 for tests: the HTTP JSON-RPC endpoint, the SSE event stream and the
newline-delimited JSON-RPC TCP socket, like tests/fakebot.py is for the Telegram Bot API.

It keeps what each person sees (per-recipient and per-group transcripts of the bot's messages, with edits and
reactions applied), plays people (private and group texts, quotes, attachments, reactions, edits, typing) and
injects faults: a dropped or refused event stream, rate limiting (plain and proof-required, in signal-cli's error
shape), slow answers, unregistered or untrusted recipients, arbitrary JSON-RPC and HTTP errors.

Buffering follows signal-cli started with ``--receive-mode=on-connection`` (the mode docs/signal.md recommends):
the daemon pulls messages from Signal's servers only while at least one client listens, so a message sent while
no stream is open waits and is delivered when a stream opens again. ``receive_mode="on-start"`` mimics the
default mode instead, where the daemon keeps receiving and a message that arrives while nobody listens is gone
(the real daemon prints it to its stdout); such messages are counted in ``dropped_events``.

Shapes come from signal-cli (AsamK/signal-cli c26e0632c51a): json/JsonMessageEnvelope, JsonDataMessage,
JsonSendMessageResult, util/SendMessageResultUtils (error codes and messages), http/HttpServerHandler (endpoints,
SSE framing, 201 for notifications, 400 for an unknown ``?account=``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
import time
import uuid as uuidlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_NUMBER = "+15550000000"
BOT_UUID = "00000000-0000-4000-8000-000000000b07"
INLINE_TEXT_BYTES = 2000  # signal-cli ServiceConfig.MAX_MESSAGE_SIZE_BYTES: longer text goes as a long-text attachment


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    error: int | None = None  # JSON-RPC error code answered, if any
    http_status: int = 200


@dataclass
class Shown:
    """A message from the bot as the recipient sees it now (after edits and reactions)."""

    timestamp: int  # the ORIGINAL timestamp: edits, quotes and reactions refer to it
    chat: str  # recipient number, or "group:<id>"
    text: str
    attachments: list[str] = field(default_factory=list)
    quote_timestamp: int | None = None
    quote_author: str | None = None
    edits: list[int] = field(default_factory=list)  # timestamps of the edit messages
    reactions: dict[str, str] = field(default_factory=dict)  # author (number) -> emoji
    silent: bool = False

    @property
    def edited(self) -> bool:
        return bool(self.edits)

    @property
    def long_text(self) -> bool:
        """signal-cli would send this as a trimmed body plus a long-text attachment."""
        return len(self.text.encode("utf-8")) > INLINE_TEXT_BYTES


@dataclass
class Incoming:
    """Something a played person sent to the bot (kept for assertions)."""

    seq: int
    sender: str
    timestamp: int
    params: dict[str, Any]


@dataclass
class FakeGroup:
    id: str
    name: str
    members: list[str]  # numbers
    admins: list[str] = field(default_factory=list)


@dataclass
class Fault:
    method: str | None  # None = any method
    times: int
    code: int | None = None  # JSON-RPC error code; None = no error (a slow answer) unless http_status is set
    message: str = ""
    data: Any = None
    http_status: int | None = None
    delay: float = 0.0
    recipient: str | None = None
    rate_limit: dict[str, Any] | None = None  # {"retry_after": int | None, "token": str | None}


@dataclass
class _Listener:
    account: str
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    dropped: bool = False


_DROP = object()


class FakeSignal:
    def __init__(self, account: str = BOT_NUMBER, account_uuid: str = BOT_UUID, *,
                 receive_mode: str = "on-connection", keepalive: float = 15.0) -> None:
        if receive_mode not in ("on-connection", "on-start"):
            raise ValueError(receive_mode)
        self.account, self.account_uuid, self.receive_mode, self.keepalive = account, account_uuid, receive_mode, \
            keepalive
        self.calls: list[Call] = []
        self.chats: dict[str, list[Shown]] = {}
        self.groups: dict[str, FakeGroup] = {}
        self.users: dict[str, FakeSignalUser] = {}
        self.incoming: list[Incoming] = []
        self.typing: dict[str, bool] = {}  # chat -> is the bot shown as typing
        self.receipts: list[dict[str, Any]] = []
        self.ignored_edits: list[dict[str, Any]] = []  # edits a Signal app would ignore (unknown target)
        self.bot_reactions: dict[tuple[str, int], str] = {}  # (chat, target timestamp) -> the bot's emoji
        self.attachments: dict[str, bytes] = {}  # id -> content of attachments people sent (for getAttachment)
        self.unregistered: set[str] = set()
        self.untrusted: set[str] = set()
        self.faults: list[Fault] = []
        self.refuse_streams = False  # while True, GET /api/v1/events answers 503
        self.buffered: list[tuple[int, dict[str, Any]]] = []  # events waiting for a listener (on-connection)
        self.dropped_events: list[int] = []  # events lost while nobody listened (on-start)
        self.delivered: list[int] = []  # event seqs written to some stream
        self.stream_connects = 0
        self.pending_work: Callable[[], bool] | None = None  # set by tests: "the bot still has due work"
        # Set by in-process tests: "the bot finished the message with this timestamp" (replies sent or deferred);
        # with it, settling waits for that condition instead of a quiet period.
        self.handled: Callable[[int], bool] | None = None
        self.last_activity = time.monotonic()
        self.pushed_seq = 0
        self._listeners: list[_Listener] = []
        self._seq = itertools.count(1)
        self._last_ts = 0
        self._attachment_ids = itertools.count(1)
        self._tcp_writers: set[asyncio.StreamWriter] = set()
        self._runner: web.AppRunner | None = None
        self._tcp_server: asyncio.base_events.Server | None = None
        self.port = 0
        self.tcp_port = 0

    # -- server ----------------------------------------------------------------------------------------------
    async def start(self, *, tcp: bool = False) -> str:
        app = web.Application()
        app.router.add_post("/api/v1/rpc", self._rpc)
        app.router.add_get("/api/v1/events", self._events)
        app.router.add_get("/api/v1/check", self._check)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        if tcp:
            self._tcp_server = await asyncio.start_server(self._tcp_client, "127.0.0.1", 0, limit=16 * 1024 * 1024)
            self.tcp_port = self._tcp_server.sockets[0].getsockname()[1]
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.tcp_port}"

    async def stop(self) -> None:
        self.drop_stream()
        if self._tcp_server is not None:
            self._tcp_server.close()
            for writer in list(self._tcp_writers):
                writer.close()
            await self._tcp_server.wait_closed()
        if self._runner:
            await self._runner.cleanup()

    async def _check(self, request: web.Request) -> web.Response:
        return web.Response(status=200)

    async def _rpc(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("application/json"):
            return web.Response(status=415)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response(_error(None, -32700, "Parse error"))
        if isinstance(body, list):
            answers = [a for a in [await self._answer(item) for item in body] if a is not None]
            return web.json_response(answers) if answers else web.Response(status=201)
        answer = await self._answer(body)
        if isinstance(answer, web.Response):
            return answer
        return web.json_response(answer) if answer is not None else web.Response(status=201)

    async def _answer(self, request: Any) -> Any:
        """One JSON-RPC request -> its response object (None for a notification, a web.Response for HTTP faults)."""
        if not isinstance(request, dict) or not request.get("method"):
            return _error(request.get("id") if isinstance(request, dict) else None, -32600,
                          "method field must be set")
        method, rid = str(request["method"]), request.get("id")
        params = dict(request.get("params") or {})
        call = Call(method, dict(params))  # as sent, with "account"
        self.calls.append(call)
        self.last_activity = time.monotonic()
        account = params.pop("account", None)
        if account is not None and account not in (self.account, self.account_uuid):
            call.error = -32602
            return _error(rid, -32602, "Specified account does not exist")
        fault = self._take_fault(method, params)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.http_status is not None:
                call.http_status = fault.http_status
                return web.Response(status=fault.http_status)
            if fault.rate_limit is not None:
                call.error = -5
                return _error(rid, -5, "Failed to send message due to rate limiting",
                              {"response": self._rate_limit_response(params, **fault.rate_limit)})
            if fault.code is not None:
                call.error = fault.code
                return _error(rid, fault.code, fault.message, fault.data)
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            call.error = -32601
            return _error(rid, -32601, "Method not implemented")
        try:
            result = handler(params)
        except _RpcError as exc:
            call.error = exc.code
            return _error(rid, exc.code, exc.message, exc.data)
        self.last_activity = time.monotonic()
        if rid is None:
            return None
        return {"jsonrpc": "2.0", "result": result, "id": rid}

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        targets = set(_as_list(params.get("recipient")))
        for fault in self.faults:
            if fault.times > 0 and fault.method in (None, method) and \
                    (fault.recipient is None or self._canonical(fault.recipient) in
                     {self._canonical(t) for t in targets}):
                fault.times -= 1
                return fault
        return None

    # -- the event stream ------------------------------------------------------------------------------------
    async def _events(self, request: web.Request) -> web.StreamResponse:
        account = request.query.get("account")
        if account and account not in (self.account, self.account_uuid):
            return web.Response(status=400)
        if self.refuse_streams:
            return web.Response(status=503)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        listener = _Listener(self.account)
        for seq, params in self.buffered:
            listener.queue.put_nowait((seq, params))
        self.buffered.clear()
        self._listeners.append(listener)
        self.stream_connects += 1
        dropped = False
        try:
            while True:
                try:
                    item = await asyncio.wait_for(listener.queue.get(), self.keepalive)
                except TimeoutError:
                    await response.write(b":\n")
                    continue
                if item is _DROP or listener.dropped:
                    if item is not _DROP:
                        listener.queue.put_nowait(item)  # never written: still waits "on the server"
                    dropped = True
                    break
                seq, params = item
                try:
                    await response.write(b"event:receive\ndata:" + json.dumps(params).encode() + b"\n\n")
                except (ConnectionError, RuntimeError):
                    listener.queue.put_nowait(item)  # not written: still "on the server"
                    raise
                self.delivered.append(seq)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            if listener in self._listeners:
                self._listeners.remove(listener)
            self._requeue(listener)
        if dropped and request.transport is not None:
            request.transport.abort()  # an abrupt drop, as when the network or the daemon goes away
        return response

    def _requeue(self, listener: _Listener) -> None:
        """Events a closed stream never wrote go back to wait on the server (on-connection) or are lost."""
        left = []
        while not listener.queue.empty():
            item = listener.queue.get_nowait()
            if item is not _DROP:
                left.append(item)
        for seq, params in left:
            self._offer(seq, params, requeue=True)

    def _offer(self, seq: int, params: dict[str, Any], *, requeue: bool = False) -> None:
        if self._listeners:
            for listener in self._listeners:
                listener.queue.put_nowait((seq, params))
            for writer in list(self._tcp_writers):
                self._write_tcp(writer, {"jsonrpc": "2.0", "method": "receive", "params": params})
            return
        if self._tcp_writers:
            for writer in list(self._tcp_writers):
                self._write_tcp(writer, {"jsonrpc": "2.0", "method": "receive", "params": params})
            self.delivered.append(seq)
            return
        if self.receive_mode == "on-connection":
            if requeue:
                self.buffered.insert(sum(1 for s, _ in self.buffered if s < seq), (seq, params))
            else:
                self.buffered.append((seq, params))
        else:
            self.dropped_events.append(seq)

    def push(self, envelope: dict[str, Any]) -> int:
        """Deliver one envelope from Signal's servers to whoever listens; returns its sequence number."""
        seq = next(self._seq)
        self.pushed_seq = seq
        self._offer(seq, {"envelope": envelope, "account": self.account})
        return seq

    def drop_stream(self) -> None:
        """Cut every open event stream (the client sees the connection reset) and every TCP connection."""
        for listener in self._listeners:
            listener.dropped = True
            listener.queue.put_nowait(_DROP)
        self._listeners.clear()
        for writer in list(self._tcp_writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._tcp_writers.clear()

    @property
    def listening(self) -> int:
        return len(self._listeners) + len(self._tcp_writers)

    # -- the TCP socket --------------------------------------------------------------------------------------
    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tcp_writers.add(writer)
        self.stream_connects += 1
        for seq, params in self.buffered:
            self._write_tcp(writer, {"jsonrpc": "2.0", "method": "receive", "params": params})
            self.delivered.append(seq)
        self.buffered.clear()
        try:
            while line := await reader.readline():
                try:
                    request = json.loads(line)
                except ValueError:
                    self._write_tcp(writer, _error(None, -32700, "Parse error"))
                    continue
                answer = await self._answer(request)
                if isinstance(answer, web.Response):  # an HTTP fault has no TCP equivalent: close
                    break
                if answer is not None:
                    self._write_tcp(writer, answer)
        except (ConnectionError, OSError):
            pass
        finally:
            self._tcp_writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def _write_tcp(self, writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
        if not writer.is_closing():
            writer.write(json.dumps(message).encode() + b"\n")

    # -- fault injection -------------------------------------------------------------------------------------
    def fail(self, method: str | None, code: int, message: str, times: int = 1, *, data: Any = None,
             delay: float = 0.0, recipient: str | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with a JSON-RPC error."""
        self.faults.append(Fault(method, times, code, message, data, delay=delay, recipient=recipient))

    def fail_http(self, method: str | None, status: int = 500, times: int = 1, *, delay: float = 0.0) -> None:
        self.faults.append(Fault(method, times, http_status=status, delay=delay))

    def slow(self, method: str | None, delay: float, times: int = 1) -> None:
        self.faults.append(Fault(method, times, delay=delay))

    def rate_limit(self, method: str | None = "send", times: int = 1, *, retry_after: int | None = 60,
                   proof_required: bool = False, recipient: str | None = None) -> str | None:
        """Make the next sends fail as Signal's rate limiter does; with ``proof_required`` the results carry a
        captcha challenge token (returned)."""
        token = str(uuidlib.UUID(int=len(self.faults) + 1)) if proof_required else None
        self.faults.append(Fault(method, times, recipient=recipient,
                                 rate_limit={"retry_after": retry_after, "token": token}))
        return token

    def unregister(self, number: str) -> None:
        """This person left Signal: sends to them fail with UNREGISTERED_FAILURE."""
        self.unregistered.add(self._canonical(number))

    def distrust(self, number: str) -> None:
        """Their safety number changed and is not trusted: sends fail with -4."""
        self.untrusted.add(self._canonical(number))

    # -- JSON-RPC methods --------------------------------------------------------------------------------------
    def _m_version(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"version": "0.13.99-fake"}

    def _m_send(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("message") or ""
        attachments = _as_list(params.get("attachments")) + _as_list(params.get("attachment"))
        quote_ts = params.get("quoteTimestamp")
        if not text and not attachments and quote_ts is None:
            raise _RpcError(-1, "Sending empty message is not allowed, either a message, attachment or sticker "
                                "must be given.")
        if quote_ts is not None and not params.get("quoteAuthor"):
            raise _RpcError(-1, "Quote author parameter is missing")
        chats = self._chats_for(params)
        timestamp = self._timestamp()
        results = self._results(params, chats)
        if results and not any(r["type"] == "SUCCESS" for r in results):
            raise self._send_failure(timestamp, results)
        delivered = {self._chat_of_result(r) for r in results if r["type"] == "SUCCESS"}
        edit_ts = params.get("editTimestamp")
        for chat in chats:
            if not chat.startswith("group:") and chat not in delivered:
                continue  # this person's send failed (a group send to a member who left still shows in the group)
            if edit_ts is not None:
                shown = self.find(chat, int(edit_ts))
                if shown is None:
                    self.ignored_edits.append({"chat": chat, "target": edit_ts, "text": text})
                    continue
                shown.text, shown.attachments = text, [str(a) for a in attachments]
                shown.edits.append(timestamp)
                continue
            self.chats.setdefault(chat, []).append(Shown(
                timestamp, chat, text, [str(a) for a in attachments],
                int(quote_ts) if quote_ts is not None else None, params.get("quoteAuthor"),
                silent=bool(params.get("noUrgent"))))
            self.typing[chat] = False  # a message clears the typing indicator on Signal apps
        return {"timestamp": timestamp, "results": results}

    def _m_sendReaction(self, params: dict[str, Any]) -> dict[str, Any]:
        for name in ("emoji", "targetAuthor", "targetTimestamp"):
            if params.get(name) in (None, ""):
                raise _RpcError(-1, f"Missing {name}")
        chats = self._chats_for(params)
        timestamp = self._timestamp()
        results = self._results(params, chats)
        if not any(r["type"] == "SUCCESS" for r in results):
            raise self._send_failure(timestamp, results)
        for chat in chats:
            key = (chat, int(params["targetTimestamp"]))
            if params.get("remove"):
                self.bot_reactions.pop(key, None)
            else:
                self.bot_reactions[key] = str(params["emoji"])
            shown = self.find(chat, int(params["targetTimestamp"]))
            if shown is not None:
                if params.get("remove"):
                    shown.reactions.pop(self.account, None)
                else:
                    shown.reactions[self.account] = str(params["emoji"])
        return {"timestamp": timestamp, "results": results}

    def _m_sendTyping(self, params: dict[str, Any]) -> dict[str, Any]:
        chats = self._chats_for(params)
        timestamp = self._timestamp()
        results = self._results(params, chats)
        if not any(r["type"] == "SUCCESS" for r in results):
            raise self._send_failure(timestamp, results)
        for chat in chats:
            self.typing[chat] = not params.get("stop")
        return {"timestamp": timestamp, "results": results}

    def _m_sendReceipt(self, params: dict[str, Any]) -> dict[str, Any]:
        self.receipts.append(params)
        return {"timestamp": self._timestamp(), "results": []}

    def _m_getAttachment(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("recipient") and not params.get("groupId"):
            raise _RpcError(-32602, "recipient or groupId is required")
        content = self.attachments.get(str(params.get("id")))
        if content is None:
            raise _RpcError(-1, f"Could not find attachment with ID: {params.get('id')}")
        return {"data": base64.b64encode(content).decode()}

    def _m_listGroups(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": g.id, "name": g.name, "description": "", "isMember": self.account in g.members,
                 "isBlocked": False, "messageExpirationTime": 0,
                 "members": [{"number": n, "uuid": self._uuid_of(n), "isAdmin": n in g.admins} for n in g.members],
                 "pendingMembers": [], "requestingMembers": [],
                 "admins": [{"number": n, "uuid": self._uuid_of(n)} for n in g.admins], "banned": [],
                 "permissionAddMember": "EVERY_MEMBER", "permissionEditDetails": "EVERY_MEMBER",
                 "permissionSendMessage": "EVERY_MEMBER", "groupInviteLink": None}
                for g in self.groups.values()]

    def _chats_for(self, params: dict[str, Any]) -> list[str]:
        recipients = _as_list(params.get("recipient"))
        group_ids = _as_list(params.get("groupId"))
        if not recipients and not group_ids:
            raise _RpcError(-1, "No recipients given")
        chats = [self._canonical(r) for r in recipients]
        for gid in group_ids:
            if gid not in self.groups:
                raise _RpcError(-1, f"Group not found: {gid}")
            chats.append("group:" + gid)
        return chats

    def _results(self, params: dict[str, Any], chats: list[str]) -> list[dict[str, Any]]:
        results = []
        for chat in chats:
            if chat.startswith("group:"):
                group = self.groups[chat[6:]]
                for member in group.members:
                    if member != self.account:
                        results.append(self._result(member, group.id))
            else:
                results.append(self._result(chat, None))
        return results

    def _result(self, number: str, group_id: str | None) -> dict[str, Any]:
        kind = "SUCCESS"
        if number in self.unregistered:
            kind = "UNREGISTERED_FAILURE"
        elif number in self.untrusted:
            kind = "IDENTITY_FAILURE"
        result: dict[str, Any] = {"recipientAddress": {"uuid": self._uuid_of(number), "number": number},
                                  "type": kind}
        if group_id:
            result["groupId"] = group_id
        return result

    def _chat_of_result(self, result: dict[str, Any]) -> str:
        if result.get("groupId"):
            return "group:" + result["groupId"]
        return result["recipientAddress"]["number"]

    def _send_failure(self, timestamp: int, results: list[dict[str, Any]]) -> _RpcError:
        """signal-cli's SendMessageResultUtils.outputResult: the JSON result rides in ``data.response``."""
        data = {"response": {"timestamp": timestamp, "results": results}}
        if all(r["type"] == "IDENTITY_FAILURE" for r in results):
            return _RpcError(-4, "Failed to send message due to untrusted identities", data)
        return _RpcError(-1, "Failed to send message", data)

    def _rate_limit_response(self, params: dict[str, Any], retry_after: int | None, token: str | None
                             ) -> dict[str, Any]:
        results = []
        try:
            chats = self._chats_for(params)
        except _RpcError:
            chats = []
        for result in self._results(params, chats) or [self._result("+0", None)]:
            result["type"] = "RATE_LIMIT_FAILURE"
            if token:
                result["token"] = token
            if retry_after is not None:
                result["retryAfterSeconds"] = retry_after
            results.append(result)
        return {"timestamp": self._timestamp(), "results": results}

    # -- reading what people see -----------------------------------------------------------------------------
    def _canonical(self, who: str) -> str:
        """Chats are keyed by phone number; a uuid of a known person maps to their number."""
        for user in self.users.values():
            if who in (user.number, user.uuid):
                return user.number
        return who

    def _uuid_of(self, number: str) -> str | None:
        if number == self.account:
            return self.account_uuid
        user = self.users.get(number)
        return user.uuid if user else None

    def find(self, chat: str, timestamp: int) -> Shown | None:
        return next((m for m in self.chats.get(chat, []) if m.timestamp == timestamp), None)

    def transcript(self, who: str) -> list[Shown]:
        """The bot's messages in the private chat with ``who`` (number or uuid)."""
        return list(self.chats.get(self._canonical(who), []))

    def group_transcript(self, group_id: str) -> list[Shown]:
        return list(self.chats.get("group:" + group_id, []))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # -- playing people --------------------------------------------------------------------------------------
    def user(self, number: str, uuid: str | None = None, name: str = "Vecina") -> FakeSignalUser:
        if number not in self.users:
            uid = uuid or str(uuidlib.UUID(bytes=hashlib.sha256(number.encode()).digest()[:16], version=4))
            self.users[number] = FakeSignalUser(self, number, uid, name)
        return self.users[number]

    def group(self, name: str, members: Iterable[str | FakeSignalUser] = (), *,
              admins: Iterable[str | FakeSignalUser] = ()) -> FakeGroup:
        """Register a group the bot is in (a stable id derived from the name, 32 bytes as Signal's v2 ids)."""
        gid = base64.b64encode(hashlib.sha256(b"group:" + name.encode()).digest()).decode()
        numbers = [m.number if isinstance(m, FakeSignalUser) else m for m in members]
        if self.account not in numbers:
            numbers.append(self.account)
        group = FakeGroup(gid, name, numbers, [a.number if isinstance(a, FakeSignalUser) else a for a in admins])
        self.groups[gid] = group
        return group

    def _timestamp(self) -> int:
        """Signal timestamps are milliseconds since the epoch and identify a message per sender: keep them unique."""
        self._last_ts = max(int(time.time() * 1000), self._last_ts + 1)
        return self._last_ts

    def sync_sent(self, text: str, destination: str) -> int:
        """The bot account's own phone wrote ``text`` to ``destination``: a sync message reaches the daemon."""
        ts = self._timestamp()
        user = self.users.get(self._canonical(destination))
        envelope = self._envelope(self.account, self.account_uuid, ts, device=2)
        envelope["syncMessage"] = {"sentMessage": {
            "destination": destination, "destinationNumber": user.number if user else destination,
            "destinationUuid": user.uuid if user else None, "timestamp": ts, "message": text,
            "expiresInSeconds": 0, "viewOnce": False}}
        return self.push(envelope)

    def _envelope(self, number: str, uuid: str, ts: int, *, name: str = "", device: int = 1) -> dict[str, Any]:
        return {"source": number, "sourceNumber": number, "sourceUuid": uuid, "sourceName": name,
                "sourceDevice": device, "timestamp": ts, "serverReceivedTimestamp": ts + 5,
                "serverDeliveredTimestamp": ts + 9}

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Poll ``predicate`` until it holds or ``timeout`` passes; returns its last value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.02)
        return predicate()

    async def wait_for_listener(self, timeout: float = 10.0) -> None:
        if not await self.wait_until(lambda: self.listening > 0, timeout):
            raise TimeoutError("no client opened the event stream")

    async def settle(self, seq: int, *, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Wait until event ``seq`` was written to a client, the bot has no due work (``pending_work``) and it
        made no call for ``quiet`` seconds (with ``handled``: until the bot says it finished that message)."""
        deadline = time.monotonic() + timeout
        incoming = next((i for i in self.incoming if i.seq == seq), None)
        if self.handled is not None and incoming is not None:
            while time.monotonic() < deadline:
                if self.handled(incoming.timestamp) and (self.pending_work is None or not self.pending_work()):
                    return
                await asyncio.sleep(0.01)
            raise TimeoutError(f"bot did not settle after event {seq}")
        while time.monotonic() < deadline:
            idle = self.pending_work is None or not self.pending_work()
            if idle and seq in self.delivered and time.monotonic() - self.last_activity >= quiet:
                checked_at = time.monotonic()
                await asyncio.sleep(quiet)
                if self.last_activity < checked_at and (self.pending_work is None or not self.pending_work()):
                    return
                continue
            await asyncio.sleep(0.02)
        raise TimeoutError(f"bot did not settle after event {seq}")

    async def drain(self, *, quiet: float = 0.15, timeout: float = 10.0) -> None:
        await self.settle(self.pushed_seq, quiet=quiet, timeout=timeout)


class FakeSignalUser:
    """One person writing to the bot. ``last_sent`` is the timestamp of their latest message (its Signal id)."""

    def __init__(self, fake: FakeSignal, number: str, uuid: str, name: str) -> None:
        self.fake, self.number, self.uuid, self.name = fake, number, uuid, name
        self.last_sent = 0

    def seen(self) -> list[Shown]:
        return self.fake.transcript(self.number)

    def seen_group(self, group_id: str) -> list[Shown]:
        group = self.fake.groups[group_id]
        if self.number not in group.members:
            raise KeyError(f"{self.number} is not in group {group.name}")
        return self.fake.group_transcript(group_id)

    @property
    def last(self) -> Shown:
        return self.seen()[-1]

    def _chat(self, group_id: str | None) -> str:
        return "group:" + group_id if group_id else self.number

    async def _push(self, content: dict[str, Any], *, group_id: str | None, settle: bool, quiet: float,
                    timestamp: int | None = None) -> list[Shown]:
        ts = timestamp or self.fake._timestamp()
        envelope = self.fake._envelope(self.number, self.uuid, ts, name=self.name)
        envelope.update(content)
        chat = self._chat(group_id)
        before = {m.timestamp: (m.text, len(m.edits), dict(m.reactions)) for m in self.fake.chats.get(chat, [])}
        seq = self.fake.push(envelope)
        self.fake.incoming.append(Incoming(seq, self.number, ts, envelope))
        self.last_sent = ts
        if settle:
            await self.fake.settle(seq, quiet=quiet)
        return [m for m in self.fake.chats.get(chat, [])
                if before.get(m.timestamp) != (m.text, len(m.edits), dict(m.reactions))]

    def _data(self, ts: int, group_id: str | None, **content: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"timestamp": ts, "message": None, "expiresInSeconds": 0, "viewOnce": False}
        data.update(content)
        if group_id:
            group = self.fake.groups[group_id]
            data["groupInfo"] = {"groupId": group_id, "groupName": group.name, "revision": 1, "type": "DELIVER"}
        return data

    async def _message(self, group_id: str | None, settle: bool, quiet: float, **content: Any) -> list[Shown]:
        ts = self.fake._timestamp()
        return await self._push({"dataMessage": self._data(ts, group_id, **content)}, group_id=group_id,
                                settle=settle, quiet=quiet, timestamp=ts)

    async def send(self, text: str, *, settle: bool = True, quiet: float = 0.15) -> list[Shown]:
        """Write privately to the bot; returns the bot's messages that appeared or changed in this chat."""
        return await self._message(None, settle, quiet, message=text)

    async def send_group(self, group_id: str, text: str, *, settle: bool = True, quiet: float = 0.15) -> list[Shown]:
        if self.number not in self.fake.groups[group_id].members:
            raise KeyError(f"{self.number} is not in that group")
        return await self._message(group_id, settle, quiet, message=text)

    async def reply_to(self, message_timestamp: int, text: str, *, group_id: str | None = None,
                       settle: bool = True, quiet: float = 0.15) -> list[Shown]:
        """Reply (quote) to a message: the bot's (looked up in the transcript) or, failing that, this person's."""
        shown = self.fake.find(self._chat(group_id), message_timestamp)
        if shown is not None:
            author_number, author_uuid, quoted = self.fake.account, self.fake.account_uuid, shown.text
        else:
            author_number, author_uuid, quoted = self.number, self.uuid, None
        quote = {"id": message_timestamp, "author": author_number, "authorNumber": author_number,
                 "authorUuid": author_uuid, "text": quoted, "attachments": []}
        return await self._message(group_id, settle, quiet, message=text, quote=quote)

    async def send_attachment(self, content_type: str = "image/jpeg", *, filename: str | None = None,
                              content: bytes = b"\xff\xd8\xff\xe0 fake jpeg", caption: str | None = None,
                              text: str | None = None, group_id: str | None = None, settle: bool = True,
                              quiet: float = 0.15) -> list[Shown]:
        attachment_id = f"fakeAtt{next(self.fake._attachment_ids):06d}.bin"
        self.fake.attachments[attachment_id] = content
        attachment = {"contentType": content_type, "filename": filename, "id": attachment_id, "size": len(content),
                      "width": 640 if content_type.startswith("image/") else None,
                      "height": 480 if content_type.startswith("image/") else None, "caption": caption,
                      "uploadTimestamp": self.fake._timestamp()}
        return await self._message(group_id, settle, quiet, message=text, attachments=[attachment])

    async def react(self, emoji: str, target_timestamp: int, *, target_author: str | None = None,
                    remove: bool = False, group_id: str | None = None, settle: bool = True,
                    quiet: float = 0.15) -> list[Shown]:
        """React to a message (default author: the bot)."""
        author = target_author or self.fake.account
        author_uuid = self.fake._uuid_of(self.fake._canonical(author))
        reaction = {"emoji": emoji, "targetAuthor": author, "targetAuthorNumber": author,
                    "targetAuthorUuid": author_uuid, "targetSentTimestamp": target_timestamp, "isRemove": remove}
        return await self._message(group_id, settle, quiet, reaction=reaction)

    async def edit(self, target_timestamp: int, text: str, *, group_id: str | None = None, settle: bool = True,
                   quiet: float = 0.15) -> list[Shown]:
        """Edit one of this person's earlier messages (``target_timestamp`` = the original message's)."""
        ts = self.fake._timestamp()
        content = {"editMessage": {"targetSentTimestamp": target_timestamp,
                                   "dataMessage": self._data(ts, group_id, message=text)}}
        return await self._push(content, group_id=group_id, settle=settle, quiet=quiet, timestamp=ts)

    async def start_typing(self, *, group_id: str | None = None, settle: bool = False) -> list[Shown]:
        ts = self.fake._timestamp()
        typing: dict[str, Any] = {"action": "STARTED", "timestamp": ts}
        if group_id:
            typing["groupId"] = group_id
        return await self._push({"typingMessage": typing}, group_id=group_id, settle=settle, quiet=0.15,
                                timestamp=ts)

    async def read(self, timestamps: list[int], *, settle: bool = False) -> list[Shown]:
        """A read receipt for the bot's messages."""
        ts = self.fake._timestamp()
        receipt = {"when": ts, "isDelivery": False, "isRead": True, "isViewed": False, "timestamps": timestamps}
        return await self._push({"receiptMessage": receipt}, group_id=None, settle=settle, quiet=0.15, timestamp=ts)


class _RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


def _error(rid: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message, "data": data}, "id": rid}


def _as_list(value: Any) -> list[Any]:
    """signal-cli takes a single value or an array for multi-valued params (signal-cli-jsonrpc(5))."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
