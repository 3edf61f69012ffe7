"""The vocabulary of a sighting report (SALUTE fields and their values) and redaction of free text.

Shared by the report flow, the story reader and the services; it imports nothing of the project."""

from __future__ import annotations

import re

ACTIVITIES = ("home", "street", "workplace", "checkpoint", "vehicles", "other")
WHEN = ("now", "15m", "1h", "today")
WHEN_AGO_SECONDS = {"now": 0, "15m": 8 * 60, "1h": 35 * 60, "today": 2 * 3600}
AGENTS = ("1-2", "3-5", "6-10", "10+", "unknown")
VEHICLES = ("0", "1", "2-3", "4+", "unknown")
MARKINGS = ("ice", "cbp", "police", "unmarked", "unknown")
CHOICES: dict[str, tuple[str, ...]] = {
    "activity": ACTIVITIES, "when": WHEN, "agents": AGENTS, "vehicles": VEHICLES, "markings": MARKINGS,
}
MAX_DETAILS = 500
PHOTO_CONTEXT = b"report-photo"  # the keyring context of a report photo's sealed file reference

_PHONE = re.compile(r"(?<![\w])(?:\+?\d[\s().-]*){7,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,}")


def redact(text: str) -> tuple[str, bool]:
    """Remove phone numbers, e-mail addresses and @handles; True when anything was removed."""
    out = _EMAIL.sub("[…]", text)
    out = _PHONE.sub("[…]", out)
    out = _HANDLE.sub("[…]", out)
    return out, out != text
