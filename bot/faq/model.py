"""FAQ content model: sources, entries, topics and search hits, validated with pydantic.

Why a module of its own: the loader, the search index and the renderer all depend on these types, and
none of them should depend on each other to get them.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGS: tuple[str, ...] = ("es", "en")
Lang = Literal["es", "en"]
ACTIVITIES: tuple[str, ...] = ("at_home", "street", "workplace", "checkpoint", "vehicles", "other")
Activity = Literal["at_home", "street", "workplace", "checkpoint", "vehicles", "other"]

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "i18n" / "faq"
# Chicago default per the fact sheet (ICIRR Family Support Network); deployments override via settings.
DEFAULT_HOTLINE_NAME = "ICIRR Family Support Network"
DEFAULT_HOTLINE_PHONE = "1-855-435-7693"

MAX_ANSWER_CHARS = 900  # measured after filling the default hotline: what a user actually reads
MAX_QUESTION_CHARS = 160
MAX_TIP_CHARS = 240
MAX_PHRASING_CHARS = 300
ALLOWED_PLACEHOLDERS = frozenset({"hotline_name", "hotline_phone"})


class FaqError(ValueError):
    """Content failed validation; the message names the file and the entry so an editor can fix it."""


# --------------------------------------------------------------------------------------------- models


class Source(BaseModel):
    """One fact-sheet source key, shown to users as its organisation (linked when a URL is known)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(pattern=r"^S\d+[a-z]?$")
    organization: str = Field(min_length=2)
    title: str = ""
    url: str | None = None
    url_es: str | None = None
    note: str = ""
    secondary: bool = False

    @field_validator("url", "url_es")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        # Links go into Telegram HTML; only absolute https URLs are safe and clickable.
        if value is not None and not re.fullmatch(r"https://[^\s\"<>]+", value):
            raise ValueError(f"URL must be an absolute https:// address without spaces or quotes: {value!r}")
        return value

    def link(self, lang: str) -> str | None:
        return (self.url_es if lang == "es" and self.url_es else None) or self.url


def _clean_paragraphs(text: str) -> str:
    """Join hard-wrapped lines; keep blank lines as paragraph breaks.

    Why: editors wrap TOML text at ~110 columns for readable diffs, but Telegram should reflow it.
    """
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:  # unbalanced braces
        raise ValueError(f"bad braces in text: {exc}") from None


def _fill(text: str, hotline_name: str, hotline_phone: str) -> str:
    # str.replace, not str.format: answers are validated to hold only these two placeholders, and
    # replace cannot be tricked by a value that itself contains braces.
    return text.replace("{hotline_name}", hotline_name).replace("{hotline_phone}", hotline_phone)


class LangText(BaseModel):
    """The question, answer, search keywords and optional alert tip of one entry in one language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=5, max_length=MAX_QUESTION_CHARS)
    answer: str = Field(min_length=40)
    keywords: list[str] = Field(min_length=3)
    # Ways residents ask this question (no accents, by-ear spelling, Spanglish, texting). Indexed for search and
    # used for k-fold evaluation; editors add more here without touching code.
    phrasings: list[str] = Field(default_factory=list)
    tip: str | None = Field(default=None, max_length=MAX_TIP_CHARS)

    @field_validator("question", "tip")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if _placeholders(value):
            raise ValueError("questions and tips may not contain {placeholders}")
        return value

    @field_validator("answer")
    @classmethod
    def _answer(cls, value: str) -> str:
        value = _clean_paragraphs(value)
        unknown = _placeholders(value) - ALLOWED_PLACEHOLDERS
        if unknown:
            allowed = sorted(ALLOWED_PLACEHOLDERS)
            raise ValueError(f"unknown placeholders {sorted(unknown)}; allowed: {allowed}")
        filled = _fill(value, DEFAULT_HOTLINE_NAME, DEFAULT_HOTLINE_PHONE)
        if len(filled) > MAX_ANSWER_CHARS:
            raise ValueError(
                f"answer is {len(filled)} characters with the default hotline; limit {MAX_ANSWER_CHARS}"
            )
        return value

    @field_validator("keywords", "phrasings")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        cleaned = [" ".join(k.split()) for k in value]
        if any(not k for k in cleaned):
            raise ValueError("empty keyword or phrasing")
        if any(len(k) > MAX_PHRASING_CHARS for k in cleaned):
            raise ValueError(f"keywords and phrasings are limited to {MAX_PHRASING_CHARS} characters")
        return cleaned


class Entry(BaseModel):
    """One question-and-answer in both languages, with its sources and review date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,40}$")  # short: it travels in 64-byte callback data
    topic: str
    sources: list[str] = Field(min_length=1)
    related: list[str] = Field(default_factory=list, max_length=4)
    activities: list[Activity] = Field(default_factory=list)
    reviewed_on: date
    # A contested or fast-changing legal detail (e.g. the I-205 memo): search shows it as "related" after the calm,
    # practical answer unless the question asks for it directly.
    contested: bool = False
    en: LangText
    es: LangText
    # Filled by the loader from sources.toml (never written in the entry files), so that rendering an
    # answer needs nothing but the entry.
    source_refs: tuple[Source, ...] = ()

    @model_validator(mode="after")
    def _checks(self) -> Entry:
        if self.id in self.related:
            raise ValueError("an entry cannot be related to itself")
        if len(set(self.related)) != len(self.related) or len(set(self.sources)) != len(self.sources):
            raise ValueError("duplicate related id or source key")
        if self.activities and not (self.en.tip and self.es.tip):
            raise ValueError("an entry used for alert activities needs a tip in both languages")
        return self

    def text(self, lang: str) -> LangText:
        return self.es if lang == "es" else self.en

    def question(self, lang: str) -> str:
        return self.text(lang).question

    def answer(
        self, lang: str, hotline_name: str = DEFAULT_HOTLINE_NAME, hotline_phone: str = DEFAULT_HOTLINE_PHONE
    ) -> str:
        """Plain-text answer with the hotline filled in (not HTML-escaped)."""
        return _fill(self.text(lang).answer, hotline_name, hotline_phone)


class Topic(BaseModel):
    """A browse-menu topic; ``entry_ids`` keeps the file order, which editors choose on purpose."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,20}$")
    order: int
    title_en: str = Field(min_length=2, max_length=40)
    title_es: str = Field(min_length=2, max_length=40)
    entry_ids: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_es if lang == "es" else self.title_en


@dataclass(frozen=True)
class Match:
    """A search hit. ``lang`` is the language the query looked like (or the one the caller gave)."""

    entry: Entry
    score: float
    confident: bool
    lang: str
    coverage: float = 0.0
    confidence: float = 0.0  # 0–1, see bot.faq.search.confidence; only the first match is ever confident
    features: tuple[float, ...] = ()  # the confidence features of the first match (for fitting and reading)


Kind = Literal["answer", "suggest", "small_talk", "off_topic", "empty"]


@dataclass(frozen=True)
class SearchResult:
    """What the flow needs to choose a reply, from :meth:`FaqStore.lookup`.

    ``kind`` is one of:
    - ``"answer"``: ``best`` is confident; show it, with ``alternatives`` as "other answers" buttons;
    - ``"suggest"``: the question is about rights but no entry is confident; offer ``suggestions``
      (the 3 closest entries) as "¿Quiso decir…?" buttons, never a guessed answer;
    - ``"small_talk"``: thanks, greetings, laughter, "ok"… reply kindly, never with a legal answer;
    - ``"off_topic"``: nothing in the text relates to the FAQ ("best pizza"); say so, offer the topics;
    - ``"empty"``: no words at all.
    """

    kind: Kind
    lang: str
    matches: tuple[Match, ...] = ()
    suggestions: tuple[Match, ...] = ()
    alternatives: tuple[Match, ...] = field(default=())

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.kind == "answer" and self.matches else None

    @property
    def confident(self) -> bool:
        return self.kind == "answer"

    @property
    def small_talk(self) -> bool:
        return self.kind == "small_talk"

    @property
    def off_topic(self) -> bool:
        """Small talk or unrelated text: the flow gives a friendly reply, never a legal answer."""
        return self.kind in ("small_talk", "off_topic", "empty")


class Asked(NamedTuple):
    """One question a resident asked (``asked.tsv``) and the entry that answers it, or ``none`` for chatter.

    Why apart from an entry's phrasings: these rows were written by people who never saw the catalog (the retired
    blind tables; later, a hotline's real questions), so they teach the search how residents ask rather than how
    editors paraphrase; ``source`` names where each came from, so an evaluation can leave a whole source out.
    """

    lang: str
    question: str
    entry: str  # an entry id, or NO_ENTRY
    source: str


NO_ENTRY = "none"
MAX_ASKED_CHARS = 600


class Tip(NamedTuple):
    """A one- or two-sentence rights tip for an alert, with the entry it came from (for a "More" button)."""

    text: str
    entry_id: str


class TranslatorLike(Protocol):
    def t(self, lang: str, key: str, /, **kwargs: object) -> str: ...


