"""Keyed, per-language message catalogs (gettext ``.po`` files read with Babel).

Why keyed strings rather than English msgids: the same key must exist in every language, and a test
checks that keys and ``{placeholders}`` match. Why no global "current locale": under asyncio many users
are served at once, so every lookup names its language explicitly.

Layout: ``i18n/locale/<lang>/LC_MESSAGES/<domain>.po``; each feature owns one domain file; all domains
of a language are merged (a key defined twice is an error). Values are Telegram HTML; arguments passed
to :meth:`Translator.t` are HTML-escaped unless wrapped in :class:`Safe`.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES: tuple[str, ...] = ("es", "en")


class Safe(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""


def escape(value: object) -> str:
    """Escape user-supplied text for Telegram's HTML parse mode."""
    if isinstance(value, Safe):
        return value
    return html.escape(str(value), quote=False)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields a message uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_catalogs(locale_dir: Path = LOCALE_DIR) -> dict[str, dict[str, str]]:
    """Read every ``.po`` domain of every language into ``{lang: {key: text}}``."""
    catalogs: dict[str, dict[str, str]] = {}
    for lang_dir in sorted(p for p in locale_dir.iterdir() if p.is_dir()):
        merged: dict[str, str] = {}
        for po in sorted((lang_dir / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang_dir.name)
            for message in catalog:
                if not message.id:
                    continue
                if message.id in merged:
                    raise ValueError(f"i18n key {message.id!r} defined twice for {lang_dir.name}")
                merged[str(message.id)] = str(message.string)
        catalogs[lang_dir.name] = merged
    return catalogs


def normalize_language(code: str | None, default: str = "es") -> str:
    """Map a Telegram ``language_code`` such as ``es-419`` or ``en_US`` to a supported language."""
    if code:
        prefix = code.replace("_", "-").split("-", 1)[0].lower()
        if prefix in LANGUAGES:
            return prefix
    return default


class Translator:
    """Looks up keyed messages per language; missing keys fall back to the default language, then the key."""

    def __init__(self, default: str = "es", catalogs: dict[str, dict[str, str]] | None = None) -> None:
        self.default = default
        self.catalogs = catalogs if catalogs is not None else load_catalogs()

    def has(self, lang: str, key: str) -> bool:
        return bool(self.catalogs.get(lang, {}).get(key))

    def t(self, lang: str, key: str, /, **kwargs: object) -> str:
        """Return the message ``key`` in ``lang`` with HTML-escaped arguments.

        Plurals: when a count ``n`` (or ``count``) of exactly 1 is passed and ``<key>_one`` exists, that singular
        form is used ("Llegará a 1 persona", never "1 personas"); Spanish and English both put only 1 in the
        singular, so one extra key is all either needs."""
        count = kwargs.get("n", kwargs.get("count"))
        if count == 1 and not isinstance(count, bool) and self.catalogs.get(lang, {}).get(key + "_one"):
            key = key + "_one"
        text = self.catalogs.get(lang, {}).get(key) or self.catalogs.get(self.default, {}).get(key) or key
        if not kwargs:
            return text
        return text.format(**{k: escape(v) for k, v in kwargs.items()})

    def keys(self, lang: str) -> Iterable[str]:
        return self.catalogs.get(lang, {}).keys()
