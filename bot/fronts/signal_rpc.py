"""An asyncio client for ``signal-cli daemon`` (JSON-RPC 2.0 over HTTP + Server-Sent Events, or over TCP).

Why a client of our own: signal-cli's JSON-RPC interface is small (signal-cli-jsonrpc(5)), the Python wrappers on
PyPI either shell out to the CLI or speak a different daemon (signald), and the Signal front needs three things they
do not give together: (1) errors classified the way the delivery worker acts on them (retry later / give up on this
recipient / back off because Signal rate-limits us), (2) an event stream that survives the daemon or the network
dropping it, and (3) no import of anything in this project, so the front and the tests can both lean on it.

Transports (``url``):
  ``http://host:port``  POST /api/v1/rpc (one request per call), GET /api/v1/events (SSE: ``event:receive`` +
                        ``data:{"envelope":…,"account":…}``; ``:`` keep-alive every 15 s), GET /api/v1/check.
                        Start the daemon with ``signal-cli -a ACCOUNT daemon --http=127.0.0.1:8080
                        --receive-mode=on-connection`` (see docs/signal.md for why on-connection).
  ``tcp://host:port``   one socket, newline-delimited JSON-RPC; incoming messages arrive on the same socket as
                        ``{"method":"receive","params":{…}}`` notifications (``daemon --tcp=host:port``).

Sources for every number and error code are cited next to it; "signal-cli" means AsamK/signal-cli at commit
c26e0632c51a (2026-07-13).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import random
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

# -- Signal limits -----------------------------------------------------------------------------------------------
#: Text up to this many UTF-8 bytes travels inline in the message. signal-cli
#: (lib/.../config/ServiceConfig.java MAX_MESSAGE_SIZE_BYTES = 2000, used in ManagerImpl.applyMessage) sends a longer
#: text as a body trimmed to 2000 bytes plus the whole text as a "text/x-signal-plain" long-text attachment, which
#: costs an upload and can fail separately. Signal-Android uses the same cut (util/MessageUtil.kt
#: MAX_INLINE_BODY_SIZE_BYTES = 2 KiB). Keep bot texts under it.
MAX_INLINE_TEXT_BYTES = 2000
#: Signal-Android refuses to send, and does not auto-download, a long-text body over 64 KiB
#: (util/MessageUtil.kt MAX_TOTAL_BODY_SIZE_BYTES = 64.kibiBytes). signal-cli does not check it; recipients would see
#: only the first 2000 bytes.
MAX_TEXT_BYTES = 64 * 1024
#: Largest attachment the Signal apps send (Signal-Android util/RemoteConfig.kt "global.attachments.maxBytes",
#: default 100 MiB of ciphertext; the server may change it remotely).
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024
#: signal-cli's own ceiling when it downloads an attachment (ServiceConfig.MAX_ATTACHMENT_SIZE = 150 MiB).
SIGNAL_CLI_MAX_ATTACHMENT_BYTES = 150 * 1024 * 1024
#: Attachments per message the Android app allows (RemoteConfig "android.attachments.maxCount", default 32).
MAX_ATTACHMENTS_PER_MESSAGE = 32
#: Members of a group, signal-cli's ServiceConfig.GROUP_MAX_SIZE.
MAX_GROUP_MEMBERS = 1001
#: The HTTP daemon writes an SSE comment (":") this often on an idle stream (http/HttpServerHandler.java,
#: ``wait(15_000)`` then ``sendKeepAlive()``); silence much longer than this means a dead connection.
SSE_KEEPALIVE_SECONDS = 15.0

# -- JSON-RPC error codes --------------------------------------------------------------------------------------------
# signal-cli jsonrpc/SignalJsonRpcCommandHandler.java and jsonrpc/JsonRpcResponse.java.
USER_ERROR = -1  # bad input, group not found, not a member, "The user +X is not registered.", "Failed to send message"
IO_ERROR = -3  # network trouble talking to Signal's servers
UNTRUSTED_KEY_ERROR = -4  # "Failed to send message due to untrusted identities"
RATELIMIT_ERROR = -5  # "Failed to send message due to rate limiting" (incl. proof-required / captcha challenge)
CAPTCHA_REJECTED_ERROR = -6
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603  # unexpected exception in signal-cli, e.g. "Failed to send message: … (IOException)"

# Per-recipient send result types (signal-cli json/JsonSendMessageResult.java).
SUCCESS = "SUCCESS"
NETWORK_FAILURE = "NETWORK_FAILURE"
UNREGISTERED_FAILURE = "UNREGISTERED_FAILURE"
IDENTITY_FAILURE = "IDENTITY_FAILURE"
RATE_LIMIT_FAILURE = "RATE_LIMIT_FAILURE"
INVALID_PRE_KEY_FAILURE = "INVALID_PRE_KEY_FAILURE"


# -- results and errors ----------------------------------------------------------------------------------------------
class RecipientResult(NamedTuple):
    """One recipient's outcome of a send (signal-cli returns one per recipient, per member for a group)."""

    number: str | None
    uuid: str | None
    type: str
    group_id: str | None = None
    retry_after: int | None = None  # seconds, from "retryAfterSeconds"
    token: str | None = None  # proof-required challenge token

    @property
    def ok(self) -> bool:
        return self.type == SUCCESS


@dataclass(frozen=True)
class SendResult:
    """What ``send``-like methods return: the message timestamp (its id on Signal) and per-recipient results."""

    timestamp: int
    results: tuple[RecipientResult, ...] = ()

    @property
    def failures(self) -> tuple[RecipientResult, ...]:
        return tuple(r for r in self.results if not r.ok)


def parse_results(raw: Any) -> tuple[RecipientResult, ...]:
    out = []
    for item in raw or ():
        if not isinstance(item, dict):
            continue
        address = item.get("recipientAddress") or {}
        retry = item.get("retryAfterSeconds")
        out.append(RecipientResult(address.get("number"), address.get("uuid"), str(item.get("type", "")),
                                   item.get("groupId"), int(retry) if retry is not None else None, item.get("token")))
    return tuple(out)


class SignalRpcError(Exception):
    """A failed call. ``code`` is the JSON-RPC error code, or None when the daemon was not reached or answered
    with a non-JSON-RPC HTTP error (then ``http_status`` says which).

    Flags tell the caller what to do: ``transient`` (retry the same call later), ``permanent`` (retrying will not
    help), ``rate_limited`` (Signal throttles this account: wait ``retry_after`` seconds, or solve the captcha
    challenge when ``proof_required``). None set means "unknown": treat as permanent after a few tries.
    """

    transient = False
    permanent = False
    rate_limited = False

    def __init__(self, code: int | None, message: str, data: Any = None, *, http_status: int | None = None) -> None:
        super().__init__(f"signal-cli error {code}: {message}" if code is not None else f"signal-cli: {message}")
        self.code, self.message, self.data, self.http_status = code, message, data, http_status
        response = data.get("response") if isinstance(data, dict) else None
        self.response: dict[str, Any] = response if isinstance(response, dict) else {}
        self.results = parse_results(self.response.get("results"))

    @property
    def retry_after(self) -> float | None:
        return None


class SignalRateLimited(SignalRpcError):
    """Signal rate-limited this account (code -5, or a failed send whose results say RATE_LIMIT_FAILURE).

    ``retry_after``: the largest ``retryAfterSeconds`` signal-cli reported, else None (pick a backoff yourself).
    ``proof_required`` / ``challenge_token``: Signal wants a captcha before more sends; an operator solves it at
    https://signalcaptchas.org/challenge/generate.html and submits it with the ``submitRateLimitChallenge`` method
    (params ``challenge``, ``captcha``) — see docs/signal.md.
    """

    rate_limited = True
    transient = True

    @property
    def retry_after(self) -> float | None:
        values = [r.retry_after for r in self.results if r.retry_after is not None]
        return float(max(values)) if values else None

    @property
    def challenge_token(self) -> str | None:
        return next((r.token for r in self.results if r.token), None)

    @property
    def proof_required(self) -> bool:
        return self.challenge_token is not None


class SignalRecipientError(SignalRpcError):
    """The recipient cannot receive from us: not (or no longer) on Signal, or their safety number changed and
    signal-cli does not trust the new identity. Retrying will not help; mark the recipient inactive."""

    permanent = True

    def __init__(self, code: int | None, message: str, data: Any = None, *, unregistered: bool = False,
                 untrusted: bool = False, http_status: int | None = None) -> None:
        super().__init__(code, message, data, http_status=http_status)
        self.unregistered, self.untrusted = unregistered, untrusted


class SignalTransientError(SignalRpcError):
    """The daemon could not be reached, timed out, answered 5xx, or signal-cli reported a network/IO failure."""

    transient = True


class SignalPermanentError(SignalRpcError):
    """A request that will fail again as sent: bad params, unknown method, unknown group, not a group member."""

    permanent = True


def error_from_response(error: dict[str, Any], *, http_status: int | None = None) -> SignalRpcError:
    """Turn a JSON-RPC ``error`` object from signal-cli into the matching exception class.

    Mapping (signal-cli util/SendMessageResultUtils.outputResult and SignalJsonRpcCommandHandler): a send that
    failed for every recipient raises -4 when all failures are untrusted identities, -5 when all are rate limits
    (proof-required counts as a rate limit), else -1 "Failed to send message"; the per-recipient results ride along
    in ``data.response.results``. An unknown number fails earlier with -1 "The user +X is not registered.".
    """
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    message = str(error.get("message") or "")
    data = error.get("data")
    probe = SignalRpcError(code, message, data)
    types = {r.type for r in probe.results if not r.ok}
    if code == RATELIMIT_ERROR or RATE_LIMIT_FAILURE in types:
        return SignalRateLimited(code, message, data, http_status=http_status)
    if code == UNTRUSTED_KEY_ERROR or (types and types == {IDENTITY_FAILURE}):
        return SignalRecipientError(code, message, data, untrusted=True, http_status=http_status)
    if "is not registered" in message or (types and types == {UNREGISTERED_FAILURE}):
        return SignalRecipientError(code, message, data, unregistered=True, http_status=http_status)
    if code in (IO_ERROR, INTERNAL_ERROR) or NETWORK_FAILURE in types or INVALID_PRE_KEY_FAILURE in types:
        return SignalTransientError(code, message, data, http_status=http_status)
    if code in (USER_ERROR, CAPTCHA_REJECTED_ERROR, PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS):
        return SignalPermanentError(code, message, data, http_status=http_status)
    return SignalRpcError(code, message, data, http_status=http_status)


# -- incoming messages -----------------------------------------------------------------------------------------------
class Attachment(NamedTuple):
    content_type: str
    id: str | None  # fetch the bytes with call("getAttachment", id=…) (base64 in "data")
    size: int | None
    filename: str | None


class Reaction(NamedTuple):
    emoji: str
    target_author_number: str | None
    target_author_uuid: str | None
    target_timestamp: int
    is_remove: bool


class Group(NamedTuple):
    """A group as a send target: ``await rpc.send(Group(group_id), "hola")``."""

    id: str


Target = str | Group  # a recipient (phone number "+1…" or ACI uuid) or a Group


@dataclass(frozen=True)
class IncomingMessage:
    """A typed view of one ``receive`` notification that carries a message (text, attachment, reaction, edit).

    ``sourceName`` (the sender's profile name) is left out on purpose: the bot stores no names. Prefer
    ``source_uuid`` (the ACI, always present) over ``source_number``: people who hide their number on Signal
    arrive without one.
    """

    source_number: str | None
    source_uuid: str | None
    timestamp: int  # this message's timestamp (for an edit: the edit's own timestamp)
    text: str | None
    group_id: str | None = None
    quote_timestamp: int | None = None
    attachments: tuple[Attachment, ...] = ()
    reaction: Reaction | None = None
    is_edit: bool = False
    is_sync: bool = False  # sent by another device of the bot's own account (e.g. its phone)
    edit_target_timestamp: int | None = None  # for an edit: the timestamp of the message it replaces
    quote_author_uuid: str | None = None
    quote_author_number: str | None = None
    destination: str | None = None  # for a sync message: whom our other device wrote to (uuid, else number)
    is_group_update: bool = False  # a group change (members, title), no user content
    account: str | None = None

    @property
    def sender(self) -> str | None:
        """The stable id to key the person by (ACI uuid, else number)."""
        return self.source_uuid or self.source_number

    @property
    def reply_target(self) -> Target | None:
        """Where an answer to this message goes: its group, else its sender."""
        if self.group_id:
            return Group(self.group_id)
        return self.sender

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> IncomingMessage | None:
        """Parse ``receive`` params (``{"envelope": …, "account": …}``); None for receipts, typing, calls,
        stories, contact syncs and decryption failures (``exception`` without content)."""
        envelope = params.get("envelope") if isinstance(params, dict) else None
        if not isinstance(envelope, dict):
            return None
        base: dict[str, Any] = {"source_number": envelope.get("sourceNumber"),
                                "source_uuid": envelope.get("sourceUuid"), "account": params.get("account")}
        if isinstance(envelope.get("dataMessage"), dict):
            return cls._from_data(envelope["dataMessage"], base)
        edit = envelope.get("editMessage")
        if isinstance(edit, dict) and isinstance(edit.get("dataMessage"), dict):
            return cls._from_data(edit["dataMessage"], base, is_edit=True,
                                  edit_target_timestamp=_int_or_none(edit.get("targetSentTimestamp")))
        sync = envelope.get("syncMessage")
        sent = sync.get("sentMessage") if isinstance(sync, dict) else None
        if isinstance(sent, dict):
            destination = sent.get("destinationUuid") or sent.get("destinationNumber") or sent.get("destination")
            sent_edit = sent.get("editMessage")
            if isinstance(sent_edit, dict) and isinstance(sent_edit.get("dataMessage"), dict):
                return cls._from_data(sent_edit["dataMessage"], base, is_sync=True, is_edit=True,
                                      edit_target_timestamp=_int_or_none(sent_edit.get("targetSentTimestamp")),
                                      destination=destination)
            return cls._from_data(sent, base, is_sync=True, destination=destination)
        return None

    @classmethod
    def _from_data(cls, data: dict[str, Any], base: dict[str, Any], **extra: Any) -> IncomingMessage:
        group = data.get("groupInfo") if isinstance(data.get("groupInfo"), dict) else {}
        quote = data.get("quote") if isinstance(data.get("quote"), dict) else {}
        reaction = data.get("reaction") if isinstance(data.get("reaction"), dict) else None
        attachments = tuple(
            Attachment(str(a.get("contentType") or "application/octet-stream"), a.get("id"),
                       _int_or_none(a.get("size")), a.get("filename"))
            for a in data.get("attachments") or () if isinstance(a, dict))
        return cls(
            timestamp=int(data.get("timestamp") or 0), text=data.get("message"),
            group_id=group.get("groupId"), quote_timestamp=_int_or_none(quote.get("id")),
            quote_author_uuid=quote.get("authorUuid"), quote_author_number=quote.get("authorNumber"),
            attachments=attachments,
            reaction=Reaction(str(reaction.get("emoji") or ""), reaction.get("targetAuthorNumber"),
                              reaction.get("targetAuthorUuid"), int(reaction.get("targetSentTimestamp") or 0),
                              bool(reaction.get("isRemove"))) if reaction else None,
            is_group_update=group.get("type") == "UPDATE", **base, **extra)


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    members: tuple[str, ...]  # ACI uuids where known, else numbers
    admins: tuple[str, ...] = ()
    is_member: bool = True
    is_blocked: bool = False


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_text(text: str, max_bytes: int = MAX_INLINE_TEXT_BYTES) -> list[str]:
    """Split ``text`` into parts of at most ``max_bytes`` UTF-8 bytes, preferring paragraph, line, then word
    breaks, never cutting a character; so each part travels inline (no long-text attachment upload)."""
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one UTF-8 character (4 bytes)")
    parts: list[str] = []
    rest = text
    while utf8_len(rest) > max_bytes:
        cut = len(rest.encode("utf-8")[:max_bytes].decode("utf-8", "ignore"))
        window = rest[:cut]
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > cut // 2:
                cut = at + len(sep)
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts


def data_uri(content: bytes, content_type: str, filename: str | None = None) -> str:
    """An attachment as signal-cli accepts it inline: RFC 2397 plus its ``filename=`` extension
    (SendCommand's --attachment help: ``data:<MIME-TYPE>;filename=<FILENAME>;base64,<DATA>``)."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"attachment of {len(content)} bytes exceeds Signal's {MAX_ATTACHMENT_BYTES}")
    safe = "".join("_" if c in ";,/\\" else c for c in filename) if filename else ""
    name = f";filename={safe}" if safe else ""
    return f"data:{content_type}{name};base64,{base64.b64encode(content).decode('ascii')}"


# -- the client ------------------------------------------------------------------------------------------------------
class _Closed:
    """Marks the end of a TCP connection in its notification queue."""


_CLOSED = _Closed()
_TCP_QUEUE_LIMIT = 10_000


@dataclass
class _TcpConnection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    notifications: asyncio.Queue[dict[str, Any] | _Closed] = field(default_factory=asyncio.Queue)
    closed: bool = False
    task: asyncio.Task[None] | None = None


class SignalRpc:
    """One signal-cli account seen through its daemon.

    ``account``: the bot's number; sent as the ``account`` param (needed when the daemon runs in multi-account
    mode, i.e. started without ``-a``) and as ``?account=`` on the event stream. Harmless for a single-account
    daemon, which turns params into a map and ignores keys it does not know (JsonRpcLocalCommand).
    ``timeout``: seconds for one call (sending with attachments uploads them inside the call: allow for that).
    ``idle_timeout``: seconds of silence on the HTTP event stream after which it is treated as dead (the daemon
    sends a keep-alive every 15 s). ``backoff``: first and largest pause between reconnection attempts.
    """

    def __init__(self, url: str, account: str | None = None, *, timeout: float = 30.0,
                 idle_timeout: float = 4 * SSE_KEEPALIVE_SECONDS, backoff: tuple[float, float] = (0.5, 30.0),
                 connect_timeout: float = 5.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "tcp"):
            raise ValueError(f"unsupported signal-cli URL {url!r}: use http://host:port or tcp://host:port")
        self.url, self.account, self.timeout, self.idle_timeout = url.rstrip("/"), account, timeout, idle_timeout
        self.backoff_initial, self.backoff_max = backoff
        self.connect_timeout = connect_timeout
        self.transport = "tcp" if parts.scheme == "tcp" else "http"
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 7583
        self._ids = itertools.count(1)
        self._http: httpx.AsyncClient | None = None
        self._tcp: _TcpConnection | None = None
        self._tcp_lock = asyncio.Lock()
        self._backoff = self.backoff_initial
        #: Set while the event stream is connected; tests and health checks wait on it.
        self.stream_connected = asyncio.Event()
        #: How many times the event stream was (re)established, and how many times it dropped.
        self.stream_connects = 0
        self.stream_drops = 0
        self._random = random.Random()

    async def __aenter__(self) -> SignalRpc:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._tcp is not None:
            await self._close_tcp(self._tcp)
            self._tcp = None

    # -- calls -------------------------------------------------------------------------------------------------
    async def call(self, method: str, /, *, call_timeout: float | None = None, **params: Any) -> Any:
        """Call a signal-cli JSON-RPC method with camelCase params (None values are left out); returns its
        ``result``. Raises a ``SignalRpcError`` subclass, see ``error_from_response``."""
        body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "id": next(self._ids)}
        clean = {k: v for k, v in params.items() if v is not None}
        if self.account and "account" not in clean:
            clean["account"] = self.account
        if clean:
            body["params"] = clean
        timeout = self.timeout if call_timeout is None else call_timeout
        if self.transport == "tcp":
            return await self._call_tcp(body, timeout)
        return await self._call_http(body, timeout)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.url, trust_env=False)
        return self._http

    async def _call_http(self, body: dict[str, Any], timeout: float) -> Any:
        try:
            response = await self._client().post(
                "/api/v1/rpc", json=body, timeout=httpx.Timeout(timeout, connect=min(timeout, self.connect_timeout)))
        except httpx.TimeoutException as exc:
            raise SignalTransientError(None, f"{body['method']} timed out after {timeout} s") from exc
        except httpx.HTTPError as exc:
            raise SignalTransientError(None, f"cannot reach signal-cli at {self.url}: {exc!r}") from exc
        if response.status_code == 201:  # a notification: no answer by design
            return None
        if response.status_code >= 500:
            raise SignalTransientError(None, f"HTTP {response.status_code}", http_status=response.status_code)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code != 200 or not isinstance(answer, dict):
            raise SignalPermanentError(None, f"HTTP {response.status_code}: unexpected answer",
                                       http_status=response.status_code)
        return self._unwrap(answer)

    @staticmethod
    def _unwrap(answer: dict[str, Any]) -> Any:
        error = answer.get("error")
        if isinstance(error, dict):
            raise error_from_response(error)
        return answer.get("result")

    async def _call_tcp(self, body: dict[str, Any], timeout: float) -> Any:
        conn = await self._tcp_connection()
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        conn.pending[body["id"]] = future
        try:
            conn.writer.write(json.dumps(body, separators=(",", ":")).encode() + b"\n")
            await asyncio.wait_for(conn.writer.drain(), timeout)
            answer = await asyncio.wait_for(future, timeout)
        except TimeoutError as exc:
            raise SignalTransientError(None, f"{body['method']} timed out after {timeout} s") from exc
        except (OSError, ConnectionError) as exc:
            raise SignalTransientError(None, f"signal-cli connection lost: {exc!r}") from exc
        finally:
            conn.pending.pop(body["id"], None)
        return self._unwrap(answer)

    async def _tcp_connection(self) -> _TcpConnection:
        async with self._tcp_lock:
            if self._tcp is not None and not self._tcp.closed:
                return self._tcp
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self._host, self._port, limit=16 * 1024 * 1024), self.connect_timeout)
            except (OSError, TimeoutError) as exc:
                raise SignalTransientError(None, f"cannot reach signal-cli at {self.url}: {exc!r}") from exc
            conn = _TcpConnection(reader, writer)
            conn.task = asyncio.create_task(self._read_tcp(conn))
            self._tcp = conn
            return conn

    async def _read_tcp(self, conn: _TcpConnection) -> None:
        """Route each line: answers to their waiting call, ``receive`` notifications to the event queue."""
        try:
            while line := await conn.reader.readline():
                try:
                    message = json.loads(line)
                except ValueError:
                    log.warning("signal-cli sent a line that is not JSON; ignored")
                    continue
                if not isinstance(message, dict):
                    continue
                if "id" in message and ("result" in message or "error" in message):
                    future = conn.pending.get(message["id"])
                    if future is not None and not future.done():
                        future.set_result(message)
                elif message.get("method") == "receive" and isinstance(message.get("params"), dict):
                    if conn.notifications.qsize() >= _TCP_QUEUE_LIMIT:  # nobody reads events(): keep memory bounded
                        conn.notifications.get_nowait()
                    conn.notifications.put_nowait(message["params"])
        except (OSError, ConnectionError, ValueError) as exc:  # ValueError: a line over the reader's limit
            log.warning("signal-cli TCP connection failed: %r", exc)
        finally:
            conn.closed = True
            for future in conn.pending.values():
                if not future.done():
                    future.set_exception(SignalTransientError(None, "signal-cli closed the connection"))
            conn.notifications.put_nowait(_CLOSED)
            with contextlib.suppress(Exception):
                conn.writer.close()

    async def _close_tcp(self, conn: _TcpConnection) -> None:
        conn.writer.close()
        if conn.task is not None:
            conn.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await conn.task

    async def check(self) -> bool:
        """Whether the daemon answers (HTTP: GET /api/v1/check → 200; TCP: the ``version`` method)."""
        try:
            if self.transport == "tcp":
                await self.call("version", call_timeout=self.connect_timeout)
                return True
            response = await self._client().get("/api/v1/check", timeout=self.connect_timeout)
            return response.status_code == 200
        except (SignalRpcError, httpx.HTTPError):
            return False

    # -- convenience -------------------------------------------------------------------------------------------
    @staticmethod
    def _target(to: Target) -> dict[str, Any]:
        if isinstance(to, Group):
            return {"groupId": to.id}
        if not to:
            raise ValueError("empty recipient")
        return {"recipient": [to]}

    async def send_result(self, to: Target, text: str, *, quote_timestamp: int | None = None,
                          quote_author: str | None = None, edit_timestamp: int | None = None,
                          attachments: Sequence[str] | None = None, notify: bool = True) -> SendResult:
        """``send`` returning the per-recipient results too (a group send can succeed for some members only)."""
        params = self._target(to)
        if quote_timestamp is not None:
            if quote_author is None:
                if isinstance(to, Group):
                    raise ValueError("quote_author is required to quote a message in a group")
                quote_author = to  # in a private chat, the message we answer is usually the other person's
            params.update(quoteTimestamp=quote_timestamp, quoteAuthor=quote_author)
        if attachments:
            if len(attachments) > MAX_ATTACHMENTS_PER_MESSAGE:
                raise ValueError(f"at most {MAX_ATTACHMENTS_PER_MESSAGE} attachments per message")
            params["attachments"] = list(attachments)
        result = await self.call("send", message=text, editTimestamp=edit_timestamp,
                                 noUrgent=None if notify else True, **params)
        return _send_result(result)

    async def send(self, to: Target, text: str, *, quote_timestamp: int | None = None,
                   quote_author: str | None = None, edit_timestamp: int | None = None,
                   attachments: Sequence[str] | None = None, notify: bool = True) -> int:
        """Send ``text`` to a person (number or ACI uuid) or ``Group(id)``; returns the message timestamp, which
        is its id for later quotes, reactions and edits.

        ``edit_timestamp``: replace the text of our earlier message with that timestamp (always the ORIGINAL
        message's timestamp, also for a second edit); the edit gets its own new timestamp, which is returned.
        ``quote_timestamp`` + ``quote_author``: show the new message as a reply; in a private chat the author
        defaults to the recipient. ``attachments``: paths on the daemon's host or ``data_uri(...)`` strings.
        ``notify=False``: no push notification (signal-cli ``noUrgent``).
        """
        result = await self.send_result(to, text, quote_timestamp=quote_timestamp, quote_author=quote_author,
                                        edit_timestamp=edit_timestamp, attachments=attachments, notify=notify)
        return result.timestamp

    async def send_reaction(self, to: Target, emoji: str, target_author: str, target_timestamp: int, *,
                            remove: bool = False) -> int:
        """React with ``emoji`` to the message ``target_timestamp`` written by ``target_author`` (number or uuid;
        our own account's number for our own messages). Returns the reaction's timestamp."""
        result = await self.call("sendReaction", emoji=emoji, targetAuthor=target_author,
                                 targetTimestamp=target_timestamp, remove=True if remove else None, **self._target(to))
        return _send_result(result).timestamp

    async def send_typing(self, to: Target, stop: bool = False) -> None:
        """Show (or with ``stop``, clear) "typing…"; Signal apps clear it by themselves after a few seconds."""
        await self.call("sendTyping", stop=True if stop else None, **self._target(to))

    async def send_receipt(self, sender: str, timestamps: Iterable[int], *, read: bool = True) -> None:
        """Mark messages as read (or viewed) for their sender; signal-cli already sends delivery receipts."""
        await self.call("sendReceipt", recipient=sender, targetTimestamp=list(timestamps),
                        type="read" if read else "viewed")

    async def get_attachment(self, attachment_id: str, sender: Target) -> bytes:
        """The bytes of a received attachment (signal-cli downloads it on arrival unless started with
        ``--ignore-attachments``); ``sender`` is who sent it, or the ``Group`` it came in."""
        where = {"groupId": sender.id} if isinstance(sender, Group) else {"recipient": sender}
        result = await self.call("getAttachment", id=attachment_id, **where)
        return base64.b64decode((result or {}).get("data") or "")

    async def list_groups(self) -> list[GroupInfo]:
        groups = []
        for raw in await self.call("listGroups") or ():
            if not isinstance(raw, dict) or not raw.get("id"):
                continue
            groups.append(GroupInfo(str(raw["id"]), str(raw.get("name") or ""), _member_ids(raw.get("members")),
                                    _member_ids(raw.get("admins")), bool(raw.get("isMember", True)),
                                    bool(raw.get("isBlocked", False))))
        return groups

    # -- incoming ----------------------------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """Yield the params of every ``receive`` notification (``{"envelope": …, "account": …}``) forever.

        The stream is reopened whenever it drops, ends, goes silent past ``idle_timeout`` or cannot be opened,
        with exponential backoff (``backoff``), reset once a connection is up. Nothing raised by the network ends
        the loop; only cancelling the consuming task does. Messages that arrive while no stream is open wait on
        Signal's servers only if the daemon runs with ``--receive-mode=on-connection`` (docs/signal.md).
        """
        while True:
            try:
                stream = self._tcp_stream() if self.transport == "tcp" else self._http_stream()
                async with contextlib.aclosing(stream):
                    async for params in stream:
                        yield params
                reason = "ended"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — any failure means: reconnect
                reason = repr(exc)
            finally:
                self.stream_connected.clear()
            self.stream_drops += 1
            delay = self._backoff * (0.75 + 0.5 * self._random.random())
            self._backoff = min(self._backoff * 2, self.backoff_max)
            log.warning("signal-cli event stream %s; reconnecting in %.1f s", reason, delay)
            await asyncio.sleep(delay)

    async def messages(self) -> AsyncIterator[IncomingMessage]:
        """``events()`` reduced to messages (text, attachments, reactions, edits, our own sync messages)."""
        async for params in self.events():
            message = IncomingMessage.from_params(params)
            if message is not None:
                yield message

    def _connected(self) -> None:
        self._backoff = self.backoff_initial
        self.stream_connects += 1
        self.stream_connected.set()

    async def _http_stream(self) -> AsyncIterator[dict[str, Any]]:
        query = {"account": self.account} if self.account else None
        timeout = httpx.Timeout(self.idle_timeout, connect=self.connect_timeout)
        try:
            async with self._client().stream("GET", "/api/v1/events", params=query, timeout=timeout,
                                             headers={"Accept": "text/event-stream"}) as response:
                if response.status_code != 200:
                    raise SignalTransientError(None, f"event stream: HTTP {response.status_code}",
                                               http_status=response.status_code)
                self._connected()
                event, data = "", []
                async for line in response.aiter_lines():
                    if line == "":
                        if data and event in ("", "receive"):
                            params = _json_or_none("\n".join(data))
                            if isinstance(params, dict):
                                yield params
                        event, data = "", []
                    elif line.startswith(":"):
                        continue  # keep-alive comment
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "event":
                            event = value
                        elif name == "data":
                            data.append(value)
        except httpx.HTTPError as exc:
            raise SignalTransientError(None, f"event stream: {exc!r}") from exc

    async def _tcp_stream(self) -> AsyncIterator[dict[str, Any]]:
        conn = await self._tcp_connection()
        self._connected()
        while True:
            item = await conn.notifications.get()
            if isinstance(item, _Closed):
                return
            if "subscription" in item and isinstance(item.get("result"), dict):  # --receive-mode=manual shape
                item = item["result"]
            if self.account and item.get("account") not in (None, self.account):
                continue  # multi-account daemon: another account's message
            yield item


def _send_result(result: Any) -> SendResult:
    if isinstance(result, dict):
        return SendResult(int(result.get("timestamp") or 0), parse_results(result.get("results")))
    return SendResult(int(result or 0))


def _member_ids(raw: Any) -> tuple[str, ...]:
    out = []
    for member in raw or ():
        if isinstance(member, str):
            out.append(member)
        elif isinstance(member, dict) and (member.get("uuid") or member.get("number")):
            out.append(str(member.get("uuid") or member.get("number")))
    return tuple(out)


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        log.warning("signal-cli sent an event that is not JSON; ignored")
        return None
