"""Verifiers (issue 11): trusted people near a place who look, when it is safe, and say what they saw.

A moderator presses "Send a verifier" on a card; the verifiers whose own alert areas hold the place are offered the
report (activity, rough place, when; never who reported). The first who accepts gets the pin and what to look for
and answers Seen / Not there / Can't tell safely. The answer appears on the card and counts toward Confirm.
"""

from __future__ import annotations

from bot.chat import Reply, parse_id
from handlers.flow import Context, Flow


class VerifyFlow(Flow):
    name = "verify"

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        if not ctx.event.sender.is_private:  # verifier buttons live in private chats only
            return [Reply("", toast=ctx.t("core.button_expired"))]
        verification_id = parse_id(args[0]) if args else None
        if verification_id is None:
            return [Reply("", toast=ctx.t("core.button_expired"))]
        moderation = ctx.services.moderation
        if action == "take":
            key, report = await moderation.accept_verification(verification_id, ctx.user.key)
            if report is None:
                return [Reply(ctx.t(key), toast=ctx.t(key))]
            views = ctx.services.moderation.views
            return views.verifier_task(ctx.lang, verification_id, report)  # type: ignore[attr-defined,no-any-return]
        if action == "ans" and len(args) > 1:
            key = await moderation.answer_verification(verification_id, ctx.user.key, args[1])
            return [Reply(ctx.t(key), toast=ctx.t(key))]
        return [Reply("", toast=ctx.t("core.button_expired"))]
