"""Admin commands: /stats (delivery counts and the size of things, never who), and granting roles."""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat import Reply, parse_id
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
    replaces another role, and removing only removes the role named."""
    if not ctx.is_admin:
        return [Reply(ctx.t("core.not_allowed"))]
    target = args.strip()
    if parse_id(target) is None:
        return [Reply(ctx.t(texts.usage))]
    users = ctx.services.users
    key = users.key_for(ctx.event.sender.messenger, target)
    user = await users.get(key)
    if user is None:
        return [Reply(ctx.t("mod.grant_unknown"))]
    if user.role not in ("resident", role):
        return [Reply(ctx.t(texts.other_role))]
    if not grant and user.role != role:
        return [Reply(ctx.t(texts.not_holder))]
    await users.set_role(key, role if grant else "resident")
    return [Reply(ctx.t(texts.granted if grant else texts.revoked))]


class AdminFlow(Flow):
    name = "admin"
    commands = ("stats", "estadisticas")

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if not ctx.is_admin:
            return [Reply(ctx.t("core.not_allowed"))]
        services = ctx.services
        counts = await services.outbox.counts()
        pending = len(await services.reports.pending(limit=1000))
        return [Reply(ctx.t(
            "admin.stats",
            users=await services.users.count(),
            subscriptions=await services.alerts.count_subscriptions(),
            pending=pending,
            queued=counts.queued, sending=counts.sending, sent=counts.sent, retried=counts.retried,
            failed=counts.failed, cancelled=counts.cancelled, reclaimed=counts.reclaimed,
        ))]
