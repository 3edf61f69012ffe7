"""Telegram HTML for an answer: question, answer, sources, review date and the "not legal advice" line.

Entry text is plain and escaped here, so editors never write HTML and users' text never becomes markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from bot.faq.model import DEFAULT_HOTLINE_NAME, DEFAULT_HOTLINE_PHONE, LANGS, Entry, Source, TranslatorLike, _fill
from i18n import Safe, escape


def render_sources(sources: Iterable[Source], lang: str) -> str:
    """Organisation names, linked where a URL is known; one mention per organisation."""
    seen: dict[str, str | None] = {}
    for source in sources:
        if source.organization not in seen:
            seen[source.organization] = source.link(lang)
        elif seen[source.organization] is None:
            seen[source.organization] = source.link(lang)
    parts = []
    for org, url in seen.items():
        if url:
            parts.append(f'<a href="{html.escape(url, quote=True)}">{escape(org)}</a>')
        else:
            parts.append(escape(org))
    return " · ".join(parts)  # not a comma: several organisation names contain commas


def render_answer(
    entry: Entry,
    lang: str,
    translator: TranslatorLike,
    hotline_name: str = DEFAULT_HOTLINE_NAME,
    hotline_phone: str = DEFAULT_HOTLINE_PHONE,
) -> str:
    """The final Telegram HTML for one answer: question, answer, sources, review date, disclaimer.

    The entry's text is plain and escaped here; ``hotline_name``/``hotline_phone`` are raw settings values
    and are escaped here too. All fixed phrases come from the ``faq.*`` catalog keys.
    """
    lang = lang if lang in LANGS else "es"
    sources = entry.source_refs
    text = entry.text(lang)
    answer = _fill(escape(text.answer), escape(hotline_name), escape(hotline_phone))
    lines = [
        f"<b>{escape(text.question)}</b>",
        "",
        answer,
        "",
        translator.t(lang, "faq.sources", sources=Safe(render_sources(sources, lang))),
        translator.t(lang, "faq.reviewed_on", date=entry.reviewed_on.isoformat()),
        "",
        "<i>"
        + translator.t(lang, "faq.disclaimer", hotline_name=hotline_name, hotline_phone=hotline_phone)
        + "</i>",
    ]
    return "\n".join(lines)

