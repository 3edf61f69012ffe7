"""Organizer broadcasts: who is in an audience, what each recipient sees, queuing, and the progress message.

Why everything goes through the outbox: a broadcast to thousands must respect Telegram's limits, survive a crash
and never delay an alert (kind "broadcast" has the lowest priority). The broadcast row and one outbox row per
recipient are written in one transaction, so either the whole audience is queued or nobody is.

The progress message is itself an outbox row (ref ``broadcast_progress:<id>``), so its message id is known once
sent; a background task counts the broadcast's rows every few seconds and queues edits of that one message.
That task lives only in this process: after a restart delivery continues (the rows are durable) but the progress
message stays where it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from bot.chat import Reply
from bot.geo import CircleTest
from i18n import LANGUAGES
from storage.alerts import bounding_box
from storage.broadcasts import BroadcastRepository, Recipient, RefCounts

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.delivery.outbox import Outbox
    from bot.geo import GeoService
    from bot.privacy import Keyring
    from bot.services.channels import ChannelService
    from i18n import Translator
    from storage.db import Database

log = logging.getLogger(__name__)

AUDIENCES = ("all", "es", "en", "area")
PROGRESS_INTERVAL = 2.0


def ref_of(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def progress_ref_of(broadcast_id: int) -> str:
    return f"broadcast_progress:{broadcast_id}"


class BroadcastViews(Protocol):
    """The screens this service queues (implemented by :class:`handlers.views.Views`)."""

    def broadcast(self, lang: str, texts: dict[str, str | None]) -> Reply: ...

    def broadcast_progress(self, lang: str, broadcast_id: int, counts: RefCounts, total: int) -> Reply: ...


class BroadcastService:
    def __init__(self, db: Database, repo: BroadcastRepository, outbox: Outbox, keyring: Keyring,
                 translator: Translator, settings: Settings, views: BroadcastViews, *,
                 interval: float = PROGRESS_INTERVAL, geo: GeoService | None = None) -> None:
        self.db, self.repo, self.outbox, self.keyring = db, repo, outbox, keyring
        self.translator, self.settings, self.views = translator, settings, views
        self.interval = interval
        self.geo = geo
        self.channels: ChannelService | None = None  # set by the app (neighbourhood channels, issue 15)
        self._tasks: set[asyncio.Task[None]] = set()

    # -- who --------------------------------------------------------------------------------------------
    async def recipients(self, audience: dict[str, Any]) -> list[Recipient]:
        """Active users in the audience. "area": people with an alert area whose centre is inside the circle."""
        kind = audience.get("aud")
        default = self.settings.default_language
        if kind == "all":
            return await self.repo.active_users(default_language=default)
        if kind in LANGUAGES:
            return await self.repo.active_users(kind, default_language=default)
        if kind == "area" and audience.get("area_kind") and self.geo is not None:
            shape = self.geo.shape(str(audience["area_kind"]), str(audience["area_ref"]))
            if shape is not None:  # "all of Pilsen": alert areas whose centre lies in the polygon (plus margin)
                margin = float(audience["radius_m"])
                chosen = {}
                for c in await self.repo.areas_in_box(*shape.box(margin)):
                    if c.user_key not in chosen and shape.contains(c.lat, c.lon, margin):
                        chosen[c.user_key] = Recipient(c.user_key, c.language)
                return list(chosen.values())
        if kind == "area":
            lat, lon, radius = float(audience["lat"]), float(audience["lon"]), float(audience["radius_m"])
            test = CircleTest(lat, lon)
            chosen: dict[str, Recipient] = {}
            for c in await self.repo.areas_in_box(*bounding_box(lat, lon, radius)):
                if c.user_key not in chosen and test.contains(c.lat, c.lon, radius):
                    chosen[c.user_key] = Recipient(c.user_key, c.language)
            return list(chosen.values())
        raise ValueError(f"unknown audience {kind!r}")

    @staticmethod
    def describe(audience: dict[str, Any]) -> str:
        """What the audit row says about the audience (no person, only the organizer's choice)."""
        kind = audience["aud"]
        if kind == "area" and audience.get("area_kind"):
            return f"area:all {audience['area_kind']}:{audience['area_ref']}"
        if kind == "area":
            return f"area:{audience['place_en']} {round(float(audience['radius_m']))}m"
        return "all" if kind == "all" else f"lang:{kind}"

    # -- what -------------------------------------------------------------------------------------------
    def render(self, lang: str, texts: dict[str, str | None]) -> Reply:
        return self.views.broadcast(lang, texts)

    def progress_reply(self, lang: str, broadcast_id: int, counts: RefCounts, total: int) -> Reply:
        return self.views.broadcast_progress(lang, broadcast_id, counts, total)

    # -- sending ------------------------------------------------------------------------------------------
    async def send(self, author_key: str, author_lang: str, data: dict[str, Any]) -> tuple[int, int] | None:
        """Queue the broadcast for its audience and the organizer's progress message, in one transaction.

        Returns (broadcast id, recipients), or ``None`` when this preview was already sent (a second press)."""
        texts = {"es": data["text_es"], "en": data.get("text_en")}
        rendered = {lang: self.render(lang, texts) for lang in LANGUAGES}
        default = self.settings.default_language
        async with self.db.transaction() as conn:
            # Selected inside the transaction so nobody erased meanwhile is queued (the FK would undo it all).
            recipients = await self.recipients(data)
            broadcast_id = await self.repo.create(conn, author=self.keyring.handle(author_key, prefix="O"),
                                                  audience=self.describe(data), nonce=data["nonce"],
                                                  now=time.time())
            if broadcast_id is None:
                return None
            ref = ref_of(broadcast_id)
            for r in recipients:
                reply = rendered.get(r.language or default, rendered[default])
                await self.outbox.to_user(conn, r.user_key, reply, kind="broadcast", ref=ref)
            await self.repo.set_recipients(conn, broadcast_id, len(recipients))
            progress = self.progress_reply(author_lang, broadcast_id, RefCounts(queued=len(recipients)),
                                           len(recipients))
            await self.outbox.to_user(conn, author_key, progress, kind="broadcast_progress",
                                      ref=progress_ref_of(broadcast_id))
            await self._post_to_channels(conn, broadcast_id, data, rendered)
        log.info("broadcast %d queued for %d recipients", broadcast_id, len(recipients))
        self.track(broadcast_id, author_key, author_lang, len(recipients))
        return broadcast_id, len(recipients)

    async def _post_to_channels(self, conn: Any, broadcast_id: int, data: dict[str, Any],
                                rendered: dict[str, Reply]) -> None:
        """Issue 15: a broadcast to everyone goes to every neighbourhood channel too; one to an area, to the
        channels of the areas it covers. Both languages in one post (channels have readers of both)."""
        if self.channels is None or data.get("aud") not in ("all", "area"):
            return
        channels = await self.channels.all()
        if data["aud"] == "area":
            if data.get("area_kind") == "area":
                wanted = {int(data["area_ref"])}
            else:
                area = self.geo.offline.area_at(float(data["lat"]), float(data["lon"])) if self.geo else None
                wanted = {area.number} if area else set()
            channels = {a: c for a, c in channels.items() if a in wanted}
        text = "\n\n— — —\n\n".join(rendered[lang].text for lang in LANGUAGES)
        for channel in channels.values():
            await self.outbox.to_chat(conn, "telegram", channel.chat, Reply(text), kind="broadcast",
                                      ref=f"channel_bcast:{broadcast_id}")

    async def may_stop(self, broadcast_id: int, user_key: str, is_admin: bool) -> bool:
        """Only the broadcast's author (or an admin) may stop it: button data is never trusted."""
        author = await self.repo.author_of(broadcast_id)
        return author is not None and (is_admin or author == self.keyring.handle(user_key, prefix="O"))

    async def stop_sending(self, broadcast_id: int) -> int:
        """Cancel what is not yet in flight; the progress message then shows the final count."""
        return await self.outbox.repo.cancel(ref=ref_of(broadcast_id), kind="broadcast")

    # -- progress -----------------------------------------------------------------------------------------
    def track(self, broadcast_id: int, organizer_key: str, lang: str, total: int) -> asyncio.Task[None]:
        """Edit the organizer's progress message as delivery proceeds, until nothing is queued or sending.

        In-process only (see the module docstring): a restart stops the edits, not the delivery."""
        task = asyncio.create_task(self._track(broadcast_id, organizer_key, lang, total),
                                   name=f"broadcast-progress-{broadcast_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _track(self, broadcast_id: int, organizer_key: str, lang: str, total: int) -> None:
        ref, progress_ref = ref_of(broadcast_id), progress_ref_of(broadcast_id)
        shown = self.progress_reply(lang, broadcast_id, RefCounts(queued=total), total).text
        try:
            while True:
                await asyncio.sleep(self.interval)
                counts = await self.repo.counts_for_ref(ref)
                done = counts.pending == 0
                reply = self.progress_reply(lang, broadcast_id, counts, total)
                if not done and reply.text == shown:
                    continue
                message_id = await self.outbox.repo.message_id_of(progress_ref)
                if not done and (message_id is None or (await self.repo.counts_for_ref(progress_ref)).pending):
                    continue  # not shown yet, or the previous edit is still on its way: skip a beat
                if done and message_id is None:
                    # The first progress message may be in flight right now (a stopped broadcast, a busy worker):
                    # cancel it if it still waits; if it is already on its way, wait for it and edit it, or the
                    # organizer is left with a stale "Sending… 0 / N" and its Stop button beside the result.
                    await self.outbox.repo.cancel(ref=progress_ref)
                    if (await self.repo.counts_for_ref(progress_ref)).pending:
                        continue
                reply.edit = message_id  # None: the first message never arrived, so send the result anew
                async with self.db.transaction() as conn:
                    if done:  # an older edit still waiting must not land after the final count
                        await self.outbox.repo.cancel(ref=progress_ref, conn=conn)
                    await self.outbox.to_user(conn, organizer_key, reply, kind="broadcast_progress",
                                              ref=progress_ref)
                shown = reply.text
                if done:
                    log.info("broadcast %d finished: %d sent, %d not reached", broadcast_id, counts.sent,
                             counts.unreached)
                    return
        except asyncio.CancelledError:
            raise
        except Exception:  # progress is a courtesy: never let it take anything else down
            log.exception("broadcast %d: progress tracking stopped", broadcast_id)

    async def stop(self) -> None:
        """Stop the progress tasks (at shutdown); delivery itself is the outbox's and is unaffected."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
