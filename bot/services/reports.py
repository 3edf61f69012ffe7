"""Sighting reports: anti-abuse checks and submission of a finished draft.

Why the cooldown lives in memory: the file keeps only what the hourly limit needs (a keyed hash and an expiry
rounded to 5 minutes), so it says nothing precise about when anyone reported. The two-minute cooldown needs a
precise time, and losing it at a restart costs nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.reports import PHOTO_CONTEXT, WHEN_AGO_SECONDS
from storage.reports import ReportRepository, ReportRow
from storage.users import UserRepository

if TYPE_CHECKING:
    from bot.privacy import Keyring
    from bot.services.moderation import ModerationService
    from storage.db import Database




@dataclass(frozen=True)
class Refusal:
    """Why a user cannot send a report now: an i18n key and its arguments."""

    key: str
    args: dict[str, Any]


class ReportService:
    def __init__(self, db: Database, repo: ReportRepository, keyring: Keyring, moderation: ModerationService, *,
                 max_per_hour: int = 3, cooldown_seconds: float = 120) -> None:
        self.db = db
        self.repo = repo
        self.keyring = keyring
        self.moderation = moderation
        self.max_per_hour = max_per_hour
        self.cooldown_seconds = cooldown_seconds
        if repo.keyring is None:
            repo.keyring = keyring  # the repository opens sealed authors with it
        self._last_report: dict[str, float] = {}  # quota tag → time of the last report (memory only)

    async def refusal(self, user_key: str, now: float | None = None) -> Refusal | None:
        """Anti-abuse: blocked reporters, at most N reports an hour, a cooldown between reports."""
        now = time.time() if now is None else now
        if await self.repo.is_blocked(user_key, now):
            return Refusal("report.paused", {})
        expiries = await self.repo.quota_expiries(user_key, now)
        if len(expiries) >= self.max_per_hour:
            wait = int(expiries[self.max_per_hour - 1] - now) // 60 + 1
            return Refusal("report.too_many", {"limit": self.max_per_hour, "minutes": wait})
        last = self._last_report.get(self.keyring.tag("quota", user_key))
        if last is not None and 0 <= now - last < self.cooldown_seconds:
            wait = int(last + self.cooldown_seconds - now) + 1
            return Refusal("report.cooldown", {"seconds": wait})
        return None

    async def submit(self, user_key: str, lang: str, draft: dict[str, Any], now: float | None = None) -> int:
        """Store a finished report and queue its moderation card, atomically."""
        now = time.time() if now is None else now
        details = draft.get("details") or ""
        user = await UserRepository(self.db).get(user_key)
        values = {
            "reporter": user_key,
            "reporter_handle": self.keyring.handle(user_key, salt=user.handle_salt if user else b""),
            "activity": draft["activity"],
            "lat": draft["lat"], "lon": draft["lon"],
            "place_en": draft["place_en"], "place_es": draft["place_es"],
            "area_number": draft.get("area_number"),
            "observed_at": now - WHEN_AGO_SECONDS[draft["when"]],
            "when_bucket": draft["when"],
            "agents": draft["agents"], "vehicles": draft["vehicles"], "markings": draft["markings"],
            "details": self.keyring.encrypt(details.encode(), b"report-details") if details else None,
            "redacted": int(bool(draft.get("redacted"))),
            "language": lang,
            "created_at": now,
        }
        async with self.db.transaction() as conn:
            report_id = await self.repo.add(conn, values)
            if draft.get("photo"):
                await self.repo.set_photo(conn, report_id, self.seal_photo(str(draft.get("photo_m") or "telegram"),
                                                                           str(draft["photo"])))
            await self.repo.count_towards_quota(conn, user_key, now)
            await self.moderation.queue_card(conn, report_id)
        self._remember(user_key, now)
        self.moderation.wake()
        return report_id

    def _remember(self, user_key: str, now: float) -> None:
        self._last_report[self.keyring.tag("quota", user_key)] = now
        horizon = now - max(self.cooldown_seconds, 1)
        for tag in [t for t, at in self._last_report.items() if at < horizon]:
            del self._last_report[tag]

    # -- photos (issue 12) -----------------------------------------------------------------------------------
    def seal_photo(self, messenger: str, ref: str) -> bytes:
        """The photo's file reference (never the image), encrypted under its own context: a copy of the file shows
        neither the reference nor which messenger it came from."""
        return self.keyring.encrypt_json({"m": messenger, "r": ref}, PHOTO_CONTEXT)

    def open_photo(self, box: bytes | None) -> tuple[str, str] | None:
        """(messenger, file reference) of a sealed photo, or None."""
        if not box:
            return None
        value = self.keyring.decrypt_json(box, PHOTO_CONTEXT)
        return str(value["m"]), str(value["r"])

    async def photo_of(self, report_id: int) -> tuple[str, str] | None:
        """(messenger, file reference) of a report's photo while it is kept (until the decision)."""
        return self.open_photo(await self.repo.photo_of(report_id))

    def details_of(self, report: ReportRow) -> str:
        if not report.details:
            return ""
        return self.keyring.decrypt(report.details, b"report-details").decode()

    async def pending(self, limit: int = 20) -> list[ReportRow]:
        """Undecided reports, oldest first (for /pending and /stats)."""
        return await self.repo.pending(limit=limit)
