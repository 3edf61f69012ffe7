"""The moderators' side: card buttons, /pending, relaying a question to the reporter, granting roles.

Authorisation never trusts callback data nor where a press comes from: every press is checked against the granted
role and the admin list (issue 11: being in the moderators' group is not enough). Anyone else gets a "not allowed"
answer with nothing changed, and the refusal is logged.
"""

from __future__ import annotations

import datetime as dt

from bot.chat import Reply, parse_id, qualify, split_qualified
from bot.services.moderation import REASONS
from handlers.admin import RoleTexts, change_role
from handlers.flow import Context, Flow

MODERATOR_TEXTS = RoleTexts(usage="mod.grant_usage", granted="mod.granted", revoked="mod.revoked",
                            other_role="mod.role_kept", not_holder="mod.not_moderator")


class ModerationFlow(Flow):
    name = "mod"
    commands = ("pending", "pendientes", "q", "mod_add", "mod_remove", "ver_add", "ver_remove")

    def _allowed(self, ctx: Context) -> bool:
        return ctx.services.moderation.is_moderator(ctx.event.sender, ctx.user.role)

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if command in ("mod_add", "mod_remove"):
            return await self._grant(ctx, command, args)
        if command in ("ver_add", "ver_remove"):
            return await self._grant_verifier(ctx, command == "ver_add", args)
        if not self._allowed(ctx):
            return [Reply(ctx.t("mod.not_allowed"))]
        if command in ("pending", "pendientes"):
            return await self._pending(ctx)
        return await self._ask(ctx, args)

    async def _pending(self, ctx: Context) -> list[Reply]:
        moderation = ctx.services.moderation
        reports = await ctx.services.reports.pending()
        if not reports:
            return [Reply(ctx.t("mod.pending_none"))]
        replies = [Reply(ctx.t("mod.pending_title", count=len(reports)))]
        for report in reports:
            card = await moderation.card(report, ctx.services.reports.details_of(report))
            replies.append(card)
        return replies

    async def _ask(self, ctx: Context, args: str) -> list[Reply]:
        head, _, question = args.strip().partition(" ")
        report_id = parse_id(head)
        if report_id is None or not question.strip():
            return [Reply(ctx.t("mod.ask_usage"))]
        if len(question) > 500:
            return [Reply(ctx.t("report.too_long", limit=500, length=len(question)))]
        key = await ctx.services.moderation.ask(report_id, question.strip(), ctx.user.key)
        return [Reply(ctx.t(key, id=report_id))]

    async def _grant(self, ctx: Context, command: str, args: str) -> list[Reply]:
        return await change_role(ctx, args, "moderator", command == "mod_add", MODERATOR_TEXTS)

    async def _grant_verifier(self, ctx: Context, grant: bool, args: str) -> list[Reply]:
        """/ver_add ID and /ver_remove ID (admins): verifiers are offered reports inside their own alert areas."""
        if not ctx.is_admin:
            return [Reply(ctx.t("core.not_allowed"))]
        try:
            messenger, user_id = split_qualified(qualify(args.strip(), default=ctx.event.sender.messenger))
        except ValueError:
            return [Reply(ctx.t("mod.ver_usage"))]
        key = ctx.services.users.key_for(messenger, user_id)
        if await ctx.services.users.get(key) is None:
            return [Reply(ctx.t("mod.grant_unknown"))]
        changed = await ctx.services.reports.repo.set_verifier(key, grant, dt.date.today().isoformat())
        if grant:
            return [Reply(ctx.t("mod.ver_granted" if changed else "mod.ver_already"))]
        return [Reply(ctx.t("mod.ver_revoked" if changed else "mod.ver_not_holder"))]

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        report_id = parse_id(args[0]) if args else None
        moderation = ctx.services.moderation
        if not self._allowed(ctx):
            await moderation.refuse(report_id, action, ctx.user.key)
            return [Reply("", toast=ctx.t("mod.not_allowed"))]
        if report_id is None:
            return [Reply("", toast=ctx.t("core.button_expired"))]
        if action == "ask":
            return [Reply(ctx.t("mod.ask_how", id=report_id), toast=ctx.t("mod.ask_how_short"))]
        from_card = ctx.services.roles.in_moderators_room(ctx.event.sender)
        if action == "ver":
            key, count = await moderation.request_verifier(report_id, ctx.user.key)
            report = await ctx.services.reports.repo.get(report_id)
            toast = ctx.t(key, count=count)
            if report is None or not from_card:
                return [Reply("", toast=toast)]
            card = await moderation.card(report, ctx.services.reports.details_of(report))
            card.edit, card.toast = ctx.event.message_id, toast
            return [card]
        if action == "back":
            report = await ctx.services.reports.repo.get(report_id)
            if report is None:
                return [Reply("", toast=ctx.t("core.button_expired"))]
            card = await moderation.card(report, ctx.services.reports.details_of(report))
            card.edit = ctx.event.message_id
            return [card]
        if action == "undo":
            decision = await moderation.undo(report_id, ctx.user.key, refresh_group_card=not from_card)
        else:
            reason = args[1] if len(args) > 1 and args[1] in REASONS else None
            decision = await moderation.decide(report_id, action, ctx.user.key, refresh_group_card=not from_card,
                                               reason=reason)
        toast = ctx.t(decision.toast_key, id=report_id)
        card = decision.card
        if card is None and decision.report is not None:
            report = decision.report
            card = await moderation.card(report, ctx.services.reports.details_of(report))  # the current state
        if card is None:
            return [Reply("", toast=toast)]
        card.edit = ctx.event.message_id
        card.toast = toast
        return [card]
