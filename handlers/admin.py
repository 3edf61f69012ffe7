"""Admin commands: /stats (delivery counts and the size of things, never who), and granting roles."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.chat import Reply, parse_id, qualify, split_qualified
from bot.services.channels import valid_chat
from handlers.flow import Context, Flow


@dataclass(frozen=True)
class RoleTexts:
    """Catalog keys for granting one role: usage, granted, revoked, holds another role, does not hold it."""

    usage: str
    granted: str
    revoked: str
    other_role: str
    not_holder: str


async def change_role(ctx: Context, args: str, role: str, grant: bool, texts: RoleTexts) -> list[Reply]:
    """/mod_add, /org_add and their removals (admins only). One role per person: granting never silently
    replaces another role, and removing only removes the role named.

    The id may be messenger-qualified ("telegram:123", "signal:<uuid>"); a bare number means the admin's own
    messenger. A person learns their id with /my_id (/mi_id)."""
    if not ctx.is_admin:
        return [Reply(ctx.t("core.not_allowed"))]
    try:
        messenger, user_id = split_qualified(qualify(args.strip(), default=ctx.event.sender.messenger))
    except ValueError:
        return [Reply(ctx.t(texts.usage))]
    users = ctx.services.users
    key = users.key_for(messenger, user_id)
    user = await users.get(key)
    if user is None:
        return [Reply(ctx.t("mod.grant_unknown"))]
    if user.role not in ("resident", role):
        return [Reply(ctx.t(texts.other_role))]
    if not grant and user.role != role:
        return [Reply(ctx.t(texts.not_holder))]
    await users.set_role(key, role if grant else "resident")
    return [Reply(ctx.t(texts.granted if grant else texts.revoked))]


WEEK_S = 7 * 86400.0


class AdminFlow(Flow):
    name = "admin"
    commands = ("stats", "estadisticas", "my_id", "mi_id", "channels", "canales", "channel_set", "canal",
                "channel_remove", "canal_quitar")

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if command in ("my_id", "mi_id"):  # anyone: what to give an admin who grants a role (issue 11)
            sender = ctx.event.sender
            return [Reply(ctx.t("admin.my_id", id=f"{sender.messenger}:{sender.user_id}"))]
        if not ctx.is_admin:
            return [Reply(ctx.t("core.not_allowed"))]
        if command in ("channels", "canales", "channel_set", "canal", "channel_remove", "canal_quitar"):
            return [await self._channels(ctx, command, args)]
        services = ctx.services
        counts = await services.outbox.counts()
        pending = len(await services.reports.pending(limit=1000))
        lines = [ctx.t(
            "admin.stats",
            users=await services.users.count(),
            subscriptions=await services.alerts.count_subscriptions(),
            pending=pending,
            queued=counts.queued, sending=counts.sending, sent=counts.sent, retried=counts.retried,
            failed=counts.failed, cancelled=counts.cancelled, reclaimed=counts.reclaimed,
        )]
        # Issue 15: how long alerts took to reach people over the last week, and paid-broadcast spending.
        reach = await services.alerts.reach_stats(time.time() - WEEK_S)
        lines.append(ctx.t("stats.reach", alerts=reach.alerts, sent=reach.sent, recipients=reach.recipients,
                           queued=reach.queued, failed=reach.failed))
        for key, spread in (("stats.reach_first", reach.first), ("stats.reach_everyone", reach.everyone)):
            if spread is not None:
                lines.append(ctx.t(key, p50=f"{spread[0]:.0f}", p90=f"{spread[1]:.0f}", max=f"{spread[2]:.0f}"))
        settings = services.settings
        if settings.paid_broadcast:
            spend = await services.outbox.paid_spend()
            lines.append(ctx.t("stats.paid_spend", today=f"{spend.today:g}", period=f"{spend.period:g}",
                               days=spend.days, cap=settings.paid_broadcast_daily_stars_cap))
        return [Reply("\n\n".join(lines))]

    async def _channels(self, ctx: Context, command: str, args: str) -> Reply:
        """Neighbourhood channels (issue 15): /channel_set AREA @channel [link] · /channel_remove AREA · /channels.
        The bot must be an administrator of the channel (allowed to post)."""
        channels = ctx.services.channels
        parts = args.split()
        if command in ("channel_set", "canal"):
            area = parse_id(parts[0]) if parts else None
            name = channels.area_name(area) if area is not None else None
            if name is None or len(parts) not in (2, 3) or not valid_chat(parts[1]) or \
                    (len(parts) == 3 and not parts[2].startswith("https://t.me/")):
                return Reply(ctx.t("admin.channel_usage"))
            await channels.set(area, parts[1], parts[2] if len(parts) == 3 else None)  # type: ignore[arg-type]
            return Reply(ctx.t("admin.channel_set", area=name, chat=parts[1]))
        if command in ("channel_remove", "canal_quitar"):
            area = parse_id(parts[0]) if parts else None
            if area is None or not await channels.remove(area):
                return Reply(ctx.t("admin.channel_usage"))
            return Reply(ctx.t("admin.channel_removed", area=channels.area_name(area) or area))
        listed = await channels.all()
        if not listed:
            return Reply(ctx.t("admin.channels_none") + "\n\n" + ctx.t("admin.channel_usage"))
        lines = [ctx.t("admin.channels_title")] + [
            ctx.t("admin.channel_line", area=channels.area_name(a) or a, chat=c.chat, link=c.link or "—")
            for a, c in sorted(listed.items())]
        return Reply("\n".join(lines))
