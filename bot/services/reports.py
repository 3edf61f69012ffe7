"""Sighting reports: anti-abuse checks and submission of a finished draft."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.reports import WHEN_AGO_SECONDS
from storage.reports import ReportRepository, ReportRow

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

    async def refusal(self, user_key: str, now: float | None = None) -> Refusal | None:
        """Anti-abuse: blocked reporters, at most N reports an hour, a cooldown between reports."""
        now = time.time() if now is None else now
        if await self.repo.is_blocked(user_key):
            return Refusal("report.paused", {})
        recent = await self.repo.recent_by_reporter(user_key, now - 3600)
        if len(recent) >= self.max_per_hour:
            wait = int(recent[self.max_per_hour - 1] + 3600 - now) // 60 + 1
            return Refusal("report.too_many", {"limit": self.max_per_hour, "minutes": wait})
        if recent and now - recent[0] < self.cooldown_seconds:
            wait = int(recent[0] + self.cooldown_seconds - now) + 1
            return Refusal("report.cooldown", {"seconds": wait})
        return None

    async def submit(self, user_key: str, lang: str, draft: dict[str, Any], now: float | None = None) -> int:
        """Store a finished report and queue its moderation card, atomically."""
        now = time.time() if now is None else now
        details = draft.get("details") or ""
        values = {
            "reporter": user_key,
            "reporter_handle": self.keyring.handle(user_key),
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
            await self.repo.count_towards_quota(conn, user_key, now)
            await self.moderation.queue_card(conn, report_id)
        self.moderation.wake()
        return report_id

    def details_of(self, report: ReportRow) -> str:
        if not report.details:
            return ""
        return self.keyring.decrypt(report.details, b"report-details").decode()
