"""The signal-cli JSON-RPC client against the fake daemon: calls, the event stream and its reconnection, error
mapping, edits, reactions, groups and attachments. Every wait is for a condition, never a fixed sleep."""

from __future__ import annotations

import asyncio
import base64
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.fronts.signal_rpc import (
    MAX_INLINE_TEXT_BYTES,
    RATELIMIT_ERROR,
    Attachment,
    Group,
    IncomingMessage,
    SignalPermanentError,
    SignalRateLimited,
    SignalRecipientError,
    SignalRpc,
    SignalRpcError,
    SignalTransientError,
    data_uri,
    error_from_response,
    split_text,
    utf8_len,
)
from tests.fakesignal import FakeSignal

ANA, BETO = "+13125550101", "+13125550102"
ANA_UUID = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSignal]:
    server = FakeSignal(keepalive=0.2)
    await server.start(tcp=True)
    yield server
    await server.stop()


def make_client(url: str, account: str | None, **kw: Any) -> SignalRpc:
    kw.setdefault("timeout", 3.0)
    kw.setdefault("idle_timeout", 2.0)
    kw.setdefault("backoff", (0.05, 0.2))
    return SignalRpc(url, account, **kw)


@pytest.fixture
async def rpc(fake: FakeSignal) -> AsyncIterator[SignalRpc]:
    client = make_client(fake.url, fake.account)
    yield client
    await client.aclose()


class Collector:
    """Consumes ``rpc.events()`` in a task, as the Signal front will."""

    def __init__(self, rpc: SignalRpc) -> None:
        self.rpc = rpc
        self.events: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for params in self.rpc.events():
            self.events.append(params)

    @property
    def messages(self) -> list[IncomingMessage]:
        return [m for m in (IncomingMessage.from_params(p) for p in self.events) if m is not None]

    async def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.task.done():
                raise AssertionError(f"event loop ended: {self.task.exception()!r}")
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)

    async def message(self, timestamp: int) -> IncomingMessage:
        await self.wait(lambda: any(m.timestamp == timestamp for m in self.messages))
        return next(m for m in self.messages if m.timestamp == timestamp)

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


@pytest.fixture
async def listening(rpc: SignalRpc, fake: FakeSignal) -> AsyncIterator[Collector]:
    collector = Collector(rpc)
    await fake.wait_for_listener()
    yield collector
    await collector.stop()


# -- calls -----------------------------------------------------------------------------------------------------------
async def test_check_version_and_groups(fake: FakeSignal, rpc: SignalRpc) -> None:
    ana, beto = fake.user(ANA, uuid=ANA_UUID), fake.user(BETO)
    mods = fake.group("mods", members=[ana, beto], admins=[ana])
    assert await rpc.check()
    assert (await rpc.call("version"))["version"]
    groups = await rpc.list_groups()
    assert [(g.id, g.name) for g in groups] == [(mods.id, "mods")]
    assert ANA_UUID in groups[0].members and beto.uuid in groups[0].members
    assert groups[0].admins == (ANA_UUID,)
    assert fake.calls_to("listGroups")[0].params == {"account": fake.account}


async def test_unknown_method_and_wrong_account_are_permanent(fake: FakeSignal) -> None:
    async with make_client(fake.url, "+19999999999") as stranger:
        with pytest.raises(SignalPermanentError) as info:
            await stranger.call("listGroups")
        assert info.value.code == -32602 and info.value.permanent and not info.value.transient
    async with make_client(fake.url, fake.account) as client:
        with pytest.raises(SignalPermanentError) as info:
            await client.call("noSuchMethod")
        assert info.value.code == -32601


async def test_send_private_returns_timestamp_and_shows(fake: FakeSignal, rpc: SignalRpc) -> None:
    ana = fake.user(ANA, uuid=ANA_UUID)
    first = await rpc.send(ANA, "Hola, ¿en qué le puedo ayudar?")
    second = await rpc.send(ANA_UUID, "Second, addressed by ACI", notify=False)
    assert second > first > 0
    assert [(m.timestamp, m.text) for m in ana.seen()] == [(first, "Hola, ¿en qué le puedo ayudar?"),
                                                           (second, "Second, addressed by ACI")]
    assert ana.last.silent and not ana.seen()[0].silent
    assert fake.calls_to("send")[0].params["recipient"] == [ANA]
    long = "Sus derechos: " + "á" * 1000  # 2014 UTF-8 bytes: signal-cli would add a long-text attachment
    await rpc.send(ANA, long)
    assert ana.last.long_text and not ana.seen()[0].long_text


async def test_quote_defaults_author_in_private_and_requires_it_in_groups(fake: FakeSignal, rpc: SignalRpc) -> None:
    ana = fake.user(ANA)
    mods = fake.group("mods", members=[ana])
    await ana.send("C12 1", settle=False)
    await rpc.send(ANA, "Recibido", quote_timestamp=ana.last_sent)
    assert (ana.last.quote_timestamp, ana.last.quote_author) == (ana.last_sent, ANA)
    with pytest.raises(ValueError):
        await rpc.send(Group(mods.id), "x", quote_timestamp=ana.last_sent)
    await rpc.send(Group(mods.id), "Recibido", quote_timestamp=ana.last_sent, quote_author=ANA)
    assert ana.seen_group(mods.id)[-1].quote_author == ANA


# -- errors ----------------------------------------------------------------------------------------------------------
async def test_rate_limit_maps_with_retry_after(fake: FakeSignal, rpc: SignalRpc) -> None:
    fake.user(ANA)
    fake.rate_limit(retry_after=7)
    with pytest.raises(SignalRateLimited) as info:
        await rpc.send(ANA, "hola")
    err = info.value
    assert err.code == RATELIMIT_ERROR and err.rate_limited and err.transient
    assert err.retry_after == 7.0 and not err.proof_required and err.challenge_token is None
    assert err.results[0].number == ANA and err.results[0].type == "RATE_LIMIT_FAILURE"
    assert fake.transcript(ANA) == []
    await rpc.send(ANA, "hola")  # the fault was for one call
    assert len(fake.transcript(ANA)) == 1


async def test_proof_required_carries_the_challenge(fake: FakeSignal, rpc: SignalRpc) -> None:
    token = fake.rate_limit(retry_after=86400, proof_required=True)
    with pytest.raises(SignalRateLimited) as info:
        await rpc.send(ANA, "hola")
    assert info.value.proof_required and info.value.challenge_token == token
    assert info.value.retry_after == 86400.0


async def test_unregistered_and_untrusted_are_permanent(fake: FakeSignal, rpc: SignalRpc) -> None:
    fake.user(ANA), fake.user(BETO)
    fake.unregister(ANA)
    fake.distrust(BETO)
    with pytest.raises(SignalRecipientError) as gone:
        await rpc.send(ANA, "hola")
    assert gone.value.unregistered and gone.value.permanent and gone.value.code == -1
    with pytest.raises(SignalRecipientError) as changed:
        await rpc.send(BETO, "hola")
    assert changed.value.untrusted and changed.value.code == -4
    # signal-cli's other shape for an unknown number (SendCommand: UnregisteredRecipientException)
    err = error_from_response({"code": -1, "message": "The user +13125550199 is not registered.", "data": None})
    assert isinstance(err, SignalRecipientError) and err.unregistered


async def test_transport_failures_are_transient(fake: FakeSignal) -> None:
    async with make_client(fake.url, fake.account, timeout=0.3) as client:
        fake.fail_http("send", 502)
        with pytest.raises(SignalTransientError) as bad_gateway:
            await client.send(ANA, "a")
        assert bad_gateway.value.http_status == 502
        fake.slow("send", delay=2.0)
        with pytest.raises(SignalTransientError, match="timed out"):
            await client.send(ANA, "b")
        fake.fail("send", -3, "Failed to send message: timeout (IOException)")
        with pytest.raises(SignalTransientError):
            await client.send(ANA, "c")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    async with make_client(f"http://127.0.0.1:{free_port}", None) as nobody:
        with pytest.raises(SignalTransientError):
            await nobody.call("version")
        assert not await nobody.check()


async def test_other_user_errors_are_permanent(fake: FakeSignal, rpc: SignalRpc) -> None:
    with pytest.raises(SignalPermanentError, match="Group not found"):
        await rpc.send(Group(base64.b64encode(b"\0" * 32).decode()), "hola")
    with pytest.raises(SignalPermanentError, match="empty message"):
        await rpc.send(ANA, "")


# -- edits and reactions ---------------------------------------------------------------------------------------------
async def test_edit_round_trip(fake: FakeSignal, rpc: SignalRpc) -> None:
    ana = fake.user(ANA)
    original = await rpc.send(ANA, "Enviando… 0/3")
    first_edit = await rpc.send(ANA, "Enviando… 2/3", edit_timestamp=original)
    second_edit = await rpc.send(ANA, "Enviado 3/3", edit_timestamp=original)
    assert original < first_edit < second_edit
    assert len(ana.seen()) == 1
    shown = ana.last
    assert (shown.timestamp, shown.text, shown.edits) == (original, "Enviado 3/3", [first_edit, second_edit])
    assert fake.calls_to("send")[1].params["editTimestamp"] == original
    await rpc.send(ANA, "lost", edit_timestamp=12345)  # a Signal app ignores an edit of an unknown message
    assert fake.ignored_edits[-1]["target"] == 12345 and ana.last.text == "Enviado 3/3"


async def test_reaction_round_trip(fake: FakeSignal, rpc: SignalRpc, listening: Collector) -> None:
    ana = fake.user(ANA, uuid=ANA_UUID)
    await ana.send("C12 1", settle=False)
    report_ts = ana.last_sent
    await rpc.send_reaction(ANA_UUID, "👀", ANA_UUID, report_ts)
    assert fake.bot_reactions[(ANA, report_ts)] == "👀"
    await rpc.send_reaction(ANA, "👀", ANA, report_ts, remove=True)
    assert (ANA, report_ts) not in fake.bot_reactions
    bot_ts = await rpc.send(ANA, "¿Confirma el envío?")
    await rpc.send_reaction(ANA, "👍", fake.account, bot_ts)
    assert ana.last.reactions == {fake.account: "👍"}
    await ana.react("❤️", bot_ts, settle=False)
    reaction = (await listening.message(ana.last_sent)).reaction
    assert reaction is not None
    assert (reaction.emoji, reaction.target_timestamp, reaction.target_author_uuid, reaction.is_remove) == \
        ("❤️", bot_ts, fake.account_uuid, False)


async def test_incoming_edit_and_typing(fake: FakeSignal, rpc: SignalRpc, listening: Collector) -> None:
    ana = fake.user(ANA, uuid=ANA_UUID)
    await ana.send("C12 l", settle=False)
    typo = ana.last_sent
    await ana.edit(typo, "C12 1", settle=False)
    edit = await listening.message(ana.last_sent)
    assert edit.is_edit and edit.edit_target_timestamp == typo and edit.text == "C12 1"
    await rpc.send_typing(ANA)
    assert fake.typing[ANA] is True
    await rpc.send_typing(ANA, stop=True)
    assert fake.typing[ANA] is False
    await ana.start_typing()
    await listening.wait(lambda: any("typingMessage" in e["envelope"] for e in listening.events))
    assert IncomingMessage.from_params(listening.events[-1]) is None  # not a message


# -- incoming messages -----------------------------------------------------------------------------------------------
async def test_event_stream_private_group_quote_sync(fake: FakeSignal, rpc: SignalRpc, listening: Collector) -> None:
    ana, beto = fake.user(ANA, uuid=ANA_UUID, name="Ana Real Name"), fake.user(BETO)
    mods = fake.group("mods", members=[ana, beto])
    await ana.send("hola", settle=False)
    private = await listening.message(ana.last_sent)
    assert (private.source_number, private.source_uuid, private.text, private.group_id) == (ANA, ANA_UUID, "hola",
                                                                                             None)
    assert private.sender == ANA_UUID and private.reply_target == ANA_UUID and private.account == fake.account
    assert not private.is_edit and not private.is_sync and private.attachments == ()
    await beto.send_group(mods.id, "C12 1", settle=False)
    in_group = await listening.message(beto.last_sent)
    assert in_group.group_id == mods.id and in_group.reply_target == Group(mods.id) and in_group.text == "C12 1"
    bot_ts = await rpc.send(ANA, "¿Dónde lo vio?")
    await ana.reply_to(bot_ts, "Halsted y 18", settle=False)
    reply = await listening.message(ana.last_sent)
    assert reply.quote_timestamp == bot_ts and reply.quote_author_number == fake.account
    fake.sync_sent("sent from the bot's phone", destination=ANA)
    await listening.wait(lambda: any(m.is_sync for m in listening.messages))
    sync = next(m for m in listening.messages if m.is_sync)
    assert sync.source_number == fake.account and sync.destination == ANA_UUID
    assert "Ana Real Name" not in repr(private)  # profile names are not carried into the typed view


async def test_attachment_metadata_both_ways(fake: FakeSignal, rpc: SignalRpc, listening: Collector) -> None:
    ana = fake.user(ANA)
    await ana.send_attachment("image/jpeg", filename="foto.jpg", content=b"J" * 1234, settle=False)
    photo = await listening.message(ana.last_sent)
    assert len(photo.attachments) == 1
    attachment = photo.attachments[0]
    assert isinstance(attachment, Attachment) and isinstance(attachment, tuple)
    assert (attachment.content_type, attachment.size, attachment.filename) == ("image/jpeg", 1234, "foto.jpg")
    assert attachment.id and photo.text is None
    assert await rpc.get_attachment(attachment.id, photo.reply_target or "") == b"J" * 1234
    uri = data_uri(b"%PDF-1.4 fake", "application/pdf", "derechos.pdf")
    assert uri.startswith("data:application/pdf;filename=derechos.pdf;base64,")
    await rpc.send(ANA, "Sus derechos", attachments=[uri])
    assert ana.last.attachments == [uri]


async def test_group_send_partial_failure(fake: FakeSignal, rpc: SignalRpc) -> None:
    ana, beto = fake.user(ANA), fake.user(BETO)
    mods = fake.group("mods", members=[ana, beto])
    fake.unregister(BETO)
    result = await rpc.send_result(Group(mods.id), "Nueva alerta")
    assert result.timestamp > 0
    assert [(r.number, r.type) for r in result.failures] == [(BETO, "UNREGISTERED_FAILURE")]
    assert ana.seen_group(mods.id)[-1].text == "Nueva alerta"


# -- the stream survives drops ---------------------------------------------------------------------------------------
async def test_reconnects_without_losing_an_event_sent_while_down(fake: FakeSignal, rpc: SignalRpc,
                                                                  listening: Collector) -> None:
    ana = fake.user(ANA)
    await ana.send("before", settle=False)
    await listening.wait(lambda: [m.text for m in listening.messages] == ["before"])
    fake.refuse_streams = True
    fake.drop_stream()
    await listening.wait(lambda: rpc.stream_drops >= 2)  # the drop, then at least one refused reconnection
    assert not rpc.stream_connected.is_set()
    await ana.send("while down", settle=False)
    assert [params["envelope"]["dataMessage"]["message"] for _, params in fake.buffered] == ["while down"]
    fake.refuse_streams = False
    await listening.wait(lambda: [m.text for m in listening.messages] == ["before", "while down"])
    await ana.send("after", settle=False)
    await listening.wait(lambda: [m.text for m in listening.messages] == ["before", "while down", "after"])
    assert rpc.stream_connected.is_set() and rpc.stream_connects >= 2 and fake.buffered == []


async def test_repeated_drops_keep_order_and_lose_nothing(fake: FakeSignal, rpc: SignalRpc,
                                                          listening: Collector) -> None:
    ana = fake.user(ANA)
    sent = []
    for round_ in range(5):
        await ana.send(f"m{round_}", settle=False)
        sent.append(f"m{round_}")
        fake.drop_stream()
        await ana.send(f"m{round_}b", settle=False)
        sent.append(f"m{round_}b")
        await fake.wait_for_listener()
    await listening.wait(lambda: len(listening.messages) >= len(sent))
    assert [m.text for m in listening.messages] == sent


async def test_silent_stream_is_treated_as_dead(fake: FakeSignal) -> None:
    fake.keepalive = 30.0  # the fake goes quiet: no keep-alive within the client's idle timeout
    async with make_client(fake.url, fake.account, idle_timeout=0.3) as client:
        collector = Collector(client)
        await collector.wait(lambda: client.stream_drops >= 1 and client.stream_connects >= 2)
        fake.keepalive = 0.1
        ana = fake.user(ANA)
        await ana.send("still here", settle=False)
        await collector.wait(lambda: [m.text for m in collector.messages] == ["still here"])
        await collector.stop()


async def test_on_start_mode_loses_what_arrives_while_nobody_listens() -> None:
    """Documents why docs/signal.md asks for --receive-mode=on-connection."""
    fake = FakeSignal(receive_mode="on-start", keepalive=0.2)
    await fake.start()
    try:
        ana = fake.user(ANA)
        await ana.send("nobody listens", settle=False)
        assert fake.dropped_events == [fake.pushed_seq] and fake.buffered == []
        async with make_client(fake.url, fake.account) as client:
            collector = Collector(client)
            await fake.wait_for_listener()
            await ana.send("heard", settle=False)
            await collector.wait(lambda: [m.text for m in collector.messages] == ["heard"])
            await collector.stop()
    finally:
        await fake.stop()


async def test_settle_waits_for_the_bot_to_answer(fake: FakeSignal, rpc: SignalRpc) -> None:
    """The fake's ``user.send`` returns what the bot answered, like tests/fakebot.py: a tiny echo bot here."""
    ana = fake.user(ANA)

    async def echo() -> None:
        async for message in rpc.messages():
            if message.text:
                await rpc.send_typing(message.sender or "")
                await rpc.send(message.sender or "", f"eco: {message.text}", quote_timestamp=message.timestamp)

    task = asyncio.create_task(echo())
    try:
        await fake.wait_for_listener()
        shown = await ana.send("hola")
        assert [m.text for m in shown] == ["eco: hola"] and shown[0].quote_timestamp == ana.last_sent
        assert fake.typing[ANA] is False
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# -- TCP transport ---------------------------------------------------------------------------------------------------
async def test_tcp_transport_calls_events_and_reconnect(fake: FakeSignal) -> None:
    ana = fake.user(ANA)
    async with make_client(fake.tcp_url, fake.account) as client:
        assert client.transport == "tcp"
        timestamp = await client.send(ANA, "por TCP")
        assert ana.last.timestamp == timestamp
        fake.rate_limit(retry_after=3)
        with pytest.raises(SignalRateLimited):
            await client.send(ANA, "x")
        collector = Collector(client)
        await fake.wait_for_listener()
        await ana.send("uno", settle=False)
        await collector.wait(lambda: [m.text for m in collector.messages] == ["uno"])
        fake.drop_stream()
        await collector.wait(lambda: client.stream_drops >= 1)
        await ana.send("dos", settle=False)
        await collector.wait(lambda: [m.text for m in collector.messages] == ["uno", "dos"])
        assert await client.send(ANA, "sigue") > timestamp
        await collector.stop()


# -- pure helpers ----------------------------------------------------------------------------------------------------
def test_split_text_respects_the_inline_limit() -> None:
    text = ("Usted tiene derecho a guardar silencio. " * 40 + "\n\n") * 3 + "ñ" * 1500
    parts = split_text(text)
    assert all(utf8_len(p) <= MAX_INLINE_TEXT_BYTES for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert split_text("corto") == ["corto"] and split_text("") == [""]
    assert split_text("ñ" * 5, max_bytes=4) == ["ññ", "ññ", "ñ"]


def test_error_mapping_edge_cases() -> None:
    mixed = error_from_response({"code": -1, "message": "Failed to send message", "data": {"response": {
        "timestamp": 1, "results": [{"recipientAddress": {"number": ANA}, "type": "NETWORK_FAILURE"}]}}})
    assert isinstance(mixed, SignalTransientError)
    internal = error_from_response({"code": -32603, "message": "Failed to send message: x (IOException)"})
    assert internal.transient
    unknown = error_from_response({"code": -42, "message": "new"})
    assert type(unknown) is SignalRpcError and not (unknown.transient or unknown.permanent)


def test_manual_subscription_shape_and_non_messages() -> None:
    params = {"envelope": {"sourceNumber": ANA, "sourceUuid": ANA_UUID, "timestamp": 5,
                           "receiptMessage": {"when": 5, "isDelivery": True, "timestamps": [4]}}, "account": "+1"}
    assert IncomingMessage.from_params(params) is None
    assert IncomingMessage.from_params({"exception": {"message": "decrypt failed"}, "account": "+1"}) is None
