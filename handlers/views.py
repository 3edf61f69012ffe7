"""Screens the services queue but do not design: moderators' cards, questions relayed to reporters, notices.

Why here: button data belongs to the flows that read it back (``v1:mod:ok:12`` is read by the moderation flow), so
writing and reading it live in one layer. Services gather the facts (:class:`bot.services.moderation.CardData`)
and call these functions through a small protocol the app wires in.
"""

from __future__ import annotations

from bot.chat import Button, Reply, callback
from bot.services.broadcasts import RefCounts
from bot.services.moderation import PUBLISHED, REASONS, CardData, ReportRow
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
        title = t(lang, "mod.card_title", id=report.id, handle=report.reporter_handle, confirmed=data.confirmed,
                  rejected=data.rejected)
        lines = [("🆕 " + title) if report.status == "pending" and data.undo is None else title]
        if data.account_days is not None:
            days = data.account_days
            age = (t(lang, "mod.account_today") if days == 0 else t(lang, "mod.account_yesterday") if days == 1
                   else t(lang, "mod.account_old") if days >= 30 else t(lang, "mod.account_days", days=days))
            lines.append(t(lang, "mod.card_account_new" if data.new_account else "mod.card_account", age=age))
        lines += [
            t(lang, "mod.card_what", what=t(lang, f"report.activity.{report.activity}")),
            t(lang, "mod.card_where", place=report.place_es if lang == "es" else report.place_en),
            t(lang, "mod.card_when", when=t(lang, f"report.when.{report.when_bucket}"), clock=data.observed_clock),
            t(lang, "mod.card_counts", agents=t(lang, f"report.agents.{report.agents}"),
              vehicles=t(lang, f"report.vehicles.{report.vehicles}"),
              markings=t(lang, f"report.markings.{report.markings}")),
        ]
        if report.status == "pending" or data.undo is not None:
            lines.append(t(lang, "mod.card_details", details=data.details) if data.details
                         else t(lang, "mod.card_no_details"))
        else:
            lines.append(t(lang, "mod.card_details_erased"))
        if report.redacted:
            lines.append(t(lang, "mod.card_redacted"))
        if data.photo:  # issue 12: the photo goes right above the card (Telegram); moderators only, until decided
            lines.append(t(lang, "report.card_photo"))
        if data.nearby:
            shown = ", ".join(f"#{r.id} {r.reporter_handle}" for r in data.nearby[:MAX_NEARBY_SHOWN])
            more = " …" if len(data.nearby) > MAX_NEARBY_SHOWN else ""
            lines.append(t(lang, "mod.card_nearby", count=len(data.nearby), reports=shown + more))
        else:
            lines.append(t(lang, "mod.card_nearby_none"))
        if data.nearby_new:
            lines.append(t(lang, "mod.card_nearby_new", count=data.nearby_new))
        if data.cluster_flagged:
            lines.append(t(lang, "mod.card_cluster_flag"))
        if data.history:
            items = ", ".join(t(lang, f"mod.hist_{r.status}", id=r.id, clock=clock) for r, clock in data.history)
            lines.append(t(lang, "mod.card_history", items=items))
        for direction, text in data.relays:  # only the latest exchange: a card must fit one message
            lines.append(t(lang, f"mod.card_{direction}", text=text))
        for v in data.verifications[-2:]:
            if v["answer"]:
                lines.append(t(lang, "mod.card_verify_answer", who=v["handle"] or "?",
                               answer=t(lang, f"mod.verify_{v['answer']}")))
            elif v["handle"]:
                lines.append(t(lang, "mod.card_verify_going", who=v["handle"]))
            else:
                lines.append(t(lang, "mod.card_verify_asked", who=v["requested_by"]))
        if data.proposal is not None:
            lines.append(t(lang, "mod.card_proposed", who=data.proposal[1],
                           action=t(lang, f"mod.action_{data.proposal[0]}")))
        if data.held:
            lines.append(t(lang, "mod.card_held"))
        if data.pick_reason is not None:
            lines.append(t(lang, f"mod.pick_reason_{data.pick_reason}"))
        if report.status != "pending":
            lines.append(t(lang, f"mod.status_{report.status}", who=report.decided_by or "?",
                           clock=data.decided_clock, original=report.duplicate_of or ""))
            reason = data.undo[1] if data.undo else data.reason
            if reason:
                lines.append(t(lang, "mod.card_reason", reason=t(lang, f"mod.reason_{reason}")))
            if data.undo is not None:
                lines.append(t(lang, "mod.card_undo", clock=data.undo[3]))
            if data.reach is not None:  # issue 15: how far the alert got, honestly
                reach = data.reach
                if reach.first_after is None:
                    lines.append(t(lang, "alert.card_reach_none", total=reach.total))
                else:
                    lines.append(t(lang, "alert.card_reach", sent=reach.sent, total=reach.total,
                                   first=f"{reach.first_after:.0f}"))
        return Reply("\n".join(lines), buttons=self.card_buttons(data, lang), protect=True, photo=data.photo)

    def card_buttons(self, data: CardData, lang: str) -> list[list[Button]]:
        report = data.report

        def b(key: str, action: str, *extra: object) -> Button:
            return Button(self.t(lang, key), callback("mod", action, report.id, *extra))

        if data.undo is not None:
            return [[b("mod.btn_undo", "undo")]]
        if report.status == "pending" and data.pick_reason is not None:
            reasons = [b(f"mod.reason_{r}", data.pick_reason, r) for r in REASONS]
            return [reasons[:2], reasons[2:], [b("mod.btn_back", "back")]]
        if report.status == "pending":
            return [[b("mod.btn_confirm", "ok"), b("mod.btn_unconfirmed", "un")],
                    [b("mod.btn_reject", "no"), b("mod.btn_duplicate", "dup")],
                    [b("mod.btn_ask", "ask"), b("mod.btn_verify", "ver")],
                    [b("mod.btn_block", "blk")]]
        if report.status in PUBLISHED:
            return [[b("mod.btn_resolved", "res"), b("mod.btn_false_alarm", "fa")]]
        return []

    def verifier_offer(self, lang: str, verification_id: int, report: ReportRow) -> Reply:
        """What a verifier is offered: the activity, the rough place and when; never who reported."""
        t = self.t
        text = t(lang, "verify.offer", id=verification_id, what=t(lang, f"report.activity.{report.activity}"),
                 place=report.place_es if lang == "es" else report.place_en,
                 when=t(lang, f"report.when.{report.when_bucket}"))
        return Reply(text, buttons=[[Button(t(lang, "verify.btn_take"), callback("verify", "take", verification_id))]])

    def verifier_task(self, lang: str, verification_id: int, report: ReportRow) -> list[Reply]:
        """After accepting: the pin, what to look for, and the three safe answers."""
        t = self.t

        def b(answer: str) -> Button:
            return Button(t(lang, f"verify.btn_{answer}"), callback("verify", "ans", verification_id, answer))

        text = t(lang, "verify.task", what=t(lang, f"report.activity.{report.activity}"),
                 place=report.place_es if lang == "es" else report.place_en,
                 agents=t(lang, f"report.agents.{report.agents}"),
                 vehicles=t(lang, f"report.vehicles.{report.vehicles}"),
                 markings=t(lang, f"report.markings.{report.markings}"))
        return [Reply("", location=(report.lat, report.lon), protect=True),
                Reply(text, buttons=[[b("seen")], [b("not_there")], [b("cant_tell")]], protect=True)]

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
