"""The moderators' side: card buttons, /pending, relaying a question to the reporter, granting the role.

Authorisation never trusts callback data: every press is checked against the moderators' chat, the
granted role and the admin list, and anyone else gets a "not allowed" answer with nothing changed.
"""

from __future__ import annotations

from bot.chat import Reply, parse_id
from handlers.admin import RoleTexts, change_role
from handlers.flow import Context, Flow

MODERATOR_TEXTS = RoleTexts(usage="mod.grant_usage", granted="mod.granted", revoked="mod.revoked",
                            other_role="mod.role_kept", not_holder="mod.not_moderator")


class ModerationFlow(Flow):
    name = "mod"
    commands = ("pending", "pendientes", "q", "mod_add", "mod_remove")

    def _allowed(self, ctx: Context) -> bool:
        sender = ctx.event.sender
        return ctx.services.moderation.is_moderator(sender, ctx.user.role)

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if command in ("mod_add", "mod_remove"):
            return await self._grant(ctx, command, args)
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

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        if not self._allowed(ctx):
            return [Reply("", toast=ctx.t("mod.not_allowed"))]
        report_id = parse_id(args[0]) if args else None
        if report_id is None:
            return [Reply("", toast=ctx.t("core.button_expired"))]
        moderation = ctx.services.moderation
        if action == "ask":
            return [Reply(ctx.t("mod.ask_how", id=report_id), toast=ctx.t("mod.ask_how_short"))]
        from_card = ctx.services.roles.in_moderators_room(ctx.event.sender)
        decision = await moderation.decide(report_id, action, ctx.user.key, refresh_group_card=not from_card)
        toast = ctx.t(decision.toast_key, id=report_id)
        card = decision.card
        if card is None and decision.report is not None:
            card = await moderation.card(decision.report)  # someone else decided: show the current state
        if card is None:
            return [Reply("", toast=toast)]
        card.edit = ctx.event.message_id
        card.toast = toast
        return [card]


