"""Know-your-rights content: loading, validation, browsing and bilingual search (issues 6 and 14).

Why a package apart from ``handlers/rights.py``: the content and the matcher must be testable and
benchmarkable without any messenger, and the admin ``/reload_faq`` must be able to swap content while the
bot runs. Nothing here imports ``telegram``.

Modules: :mod:`~bot.faq.model` (pydantic content types), :mod:`~bot.faq.text` (normalising, slang,
Snowball stemming, small talk), :mod:`~bot.faq.search` (bm25s index with typo repair),
:mod:`~bot.faq.store` (loader and :class:`FaqStore`), :mod:`~bot.faq.render` (Telegram HTML).

Content lives in ``i18n/faq/*.toml`` (one file per topic, plus ``sources.toml``). Text fields are
**plain text**: :func:`render_answer` HTML-escapes them; callers that show ``entry.question(lang)`` or
topic titles on buttons must not escape again for button labels (Telegram buttons are not HTML) but must
escape them inside HTML messages. Answers may contain the placeholders ``{hotline_name}`` and
``{hotline_phone}``, filled from settings at render time.
"""

from bot.faq.model import (
    ACTIVITIES,
    DEFAULT_DIR,
    DEFAULT_HOTLINE_NAME,
    DEFAULT_HOTLINE_PHONE,
    LANGS,
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TIP_CHARS,
    Activity,
    Entry,
    FaqError,
    Lang,
    LangText,
    Match,
    SearchResult,
    Source,
    Tip,
    Topic,
    TranslatorLike,
)
from bot.faq.render import render_answer, render_sources
from bot.faq.store import MAX_SUGGESTIONS, MIN_COVERAGE, MIN_SCORE, FaqStore
from bot.faq.text import STOPWORDS, SYNONYMS, detect_lang, is_small_talk, normalize, strip_accents, terms

__all__ = [
    "ACTIVITIES", "DEFAULT_DIR", "DEFAULT_HOTLINE_NAME", "DEFAULT_HOTLINE_PHONE", "LANGS", "MAX_ANSWER_CHARS",
    "MAX_QUESTION_CHARS", "MAX_SUGGESTIONS", "MAX_TIP_CHARS", "MIN_COVERAGE", "MIN_SCORE", "STOPWORDS",
    "SYNONYMS", "Activity", "Entry", "FaqError", "FaqStore", "Lang", "LangText", "Match", "SearchResult",
    "Source", "Tip", "Topic", "TranslatorLike", "detect_lang", "is_small_talk", "normalize", "render_answer",
    "render_sources", "strip_accents", "terms",
]
