"""Neighbourhood channel links for the person's alert areas (shown by the alerts menu and by /start)."""

from __future__ import annotations

from handlers.flow import Context


async def channel_lines(ctx: Context, subs: list | None = None) -> list[str]:
    """Issue 15: the neighbourhood channel of each of the person's alert areas (one post there reaches everyone
    at once), as lines for the alerts menu and /start."""
    if subs is None:
        subs = await ctx.services.alerts.subscriptions_of(ctx.user.key)
    links: dict[str, str] = {}
    for sub in subs:
        channel = await ctx.services.channels.for_point(sub.lat, sub.lon)
        if channel is not None and channel.link:
            links[channel.link] = ctx.services.channels.area_name(channel.area) or ""
    return [ctx.t("alerts.channel_link", area=area, link=link) for link, area in links.items()]
