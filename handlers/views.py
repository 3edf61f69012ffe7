"""Screens the services queue but do not design: moderators' cards, questions relayed to reporters, notices.

Why here: button data belongs to the flows that read it back (``v1:mod:ok:12`` is read by the moderation flow), so
writing and reading it live in one layer. Services gather the facts (:class:`bot.services.moderation.CardData`)
and call these functions through a small protocol the app wires in.
"""

from __future__ import annotations

from bot.chat import Button, Reply, callback
from bot.services.broadcasts import RefCounts
from bot.services.moderation import PUBLISHED, CardData
from i18n import Translator, escape

MAX_NEARBY_SHOWN = 10


class Views:
    def __init__(self, translator: Translator) -> None:
        self.translator = translator

    def t(self, lang: str, key: str, /, **kwargs: object) -> str:
        return self.translator.t(lang, key, **kwargs)

    # -- moderators ------------------------------------------------------------------------------------
    def card(self, data: CardData, lang: str) -> Reply:
        report = data.report
        t = self.t
        lines = [
            t(lang, "mod.card_title", id=report.id, handle=report.reporter_handle, confirmed=data.confirmed,
              rejected=data.rejected),
            t(lang, "mod.card_what", what=t(lang, f"report.activity.{report.activity}")),
            t(lang, "mod.card_where", place=report.place_es if lang == "es" else report.place_en),
            t(lang, "mod.card_when", when=t(lang, f"report.when.{report.when_bucket}"), clock=data.observed_clock),
            t(lang, "mod.card_counts", agents=t(lang, f"report.agents.{report.agents}"),
              vehicles=t(lang, f"report.vehicles.{report.vehicles}"),
              markings=t(lang, f"report.markings.{report.markings}")),
        ]
        if report.status == "pending":
            lines.append(t(lang, "mod.card_details", details=data.details) if data.details
                         else t(lang, "mod.card_no_details"))
        else:
            lines.append(t(lang, "mod.card_details_erased"))
        if report.redacted:
            lines.append(t(lang, "mod.card_redacted"))
        if data.nearby:
            shown = ", ".join(f"#{r.id} {r.reporter_handle}" for r in data.nearby[:MAX_NEARBY_SHOWN])
            more = " …" if len(data.nearby) > MAX_NEARBY_SHOWN else ""
            lines.append(t(lang, "mod.card_nearby", count=len(data.nearby), reports=shown + more))
        else:
            lines.append(t(lang, "mod.card_nearby_none"))
        for direction, text in data.relays:  # only the latest exchange: a card must fit one message
            lines.append(t(lang, f"mod.card_{direction}", text=text))
        if report.status != "pending":
            lines.append(t(lang, f"mod.status_{report.status}", who=report.decided_by or "?",
                           clock=data.decided_clock, original=report.duplicate_of or ""))
        return Reply("\n".join(lines), buttons=self.card_buttons(data, lang))

    def card_buttons(self, data: CardData, lang: str) -> list[list[Button]]:
        report = data.report

        def b(key: str, action: str) -> Button:
            return Button(self.t(lang, key), callback("mod", action, report.id))

        if report.status == "pending":
            return [[b("mod.btn_confirm", "ok"), b("mod.btn_unconfirmed", "un")],
                    [b("mod.btn_reject", "no"), b("mod.btn_duplicate", "dup")],
                    [b("mod.btn_ask", "ask"), b("mod.btn_block", "blk")]]
        if report.status in PUBLISHED:
            return [[b("mod.btn_resolved", "res"), b("mod.btn_false_alarm", "fa")]]
        return []

    # -- reporters ---------------------------------------------------------------------------------------
    def question_to_reporter(self, lang: str, report_id: int, question: str) -> Reply:
        return Reply(self.t(lang, "report.question", id=report_id, question=question),
                     buttons=[[Button(self.t(lang, "report.btn_answer"), callback("report", "answer", report_id))]])

    def notice(self, lang: str, key: str, **kwargs: object) -> Reply:
        return Reply(self.t(lang, key, **kwargs))

    # -- organizers' broadcasts -----------------------------------------------------------------------------
    def broadcast(self, lang: str, texts: dict[str, str | None]) -> Reply:
        """The announcement as a recipient in ``lang`` sees it: header in their language, the organizer's text
        (English if written, else the Spanish one) shown literally."""
        body = texts.get(lang) or texts["es"] or ""
        return Reply(self.t(lang, "bcast.header") + "\n\n" + escape(body))

    def broadcast_progress(self, lang: str, broadcast_id: int, counts: RefCounts, total: int) -> Reply:
        t = self.t
        if counts.pending:
            stop = Button(t(lang, "bcast.btn_stop"), callback("bcast", "stop", broadcast_id))
            return Reply(t(lang, "bcast.progress", done=counts.finished, total=total), buttons=[[stop]])
        if counts.unreached:
            return Reply(t(lang, "bcast.done", sent=counts.sent, total=total, unreached=counts.unreached))
        return Reply(t(lang, "bcast.done_all", sent=counts.sent, total=total))
