"""Admin commands: /stats (delivery counts and the size of things, never who)."""

from __future__ import annotations

from handlers.core import Context, Flow, Reply


class AdminFlow(Flow):
    name = "admin"
    commands = ("stats", "estadisticas")

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if not ctx.is_admin:
            return [Reply(ctx.t("core.not_allowed"))]
        services = ctx.services
        counts = await services.outbox.repo.counts()
        pending = len(await services.reports.repo.pending(limit=1000))
        return [Reply(ctx.t(
            "admin.stats",
            users=await services.users.repo.count(),
            subscriptions=await services.alerts.repo.count_subscriptions(),
            pending=pending,
            queued=counts.queued, sending=counts.sending, sent=counts.sent, retried=counts.retried,
            failed=counts.failed, cancelled=counts.cancelled, reclaimed=counts.reclaimed,
        ))]
