"""Account commands: /language, /privacy, /delete_me."""

from __future__ import annotations

from bot.chat import Button, Reply, callback
from handlers.flow import Context, Flow
from handlers.start import language_buttons, menu_reply, privacy_reply


class AccountFlow(Flow):
    name = "account"
    commands = ("language", "idioma", "privacy", "privacidad", "delete_me", "borrarme")

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if command in ("language", "idioma"):
            return [Reply(ctx.t("core.choose_language"), buttons=language_buttons(ctx))]
        if command in ("privacy", "privacidad"):
            return [privacy_reply(ctx)]
        buttons = [[Button(ctx.t("core.delete_yes"), callback("account", "del", "yes")),
                    Button(ctx.t("core.delete_no"), callback("account", "del", "no"))]]
        return [Reply(ctx.t("core.delete_confirm"), buttons=buttons)]

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        if action == "del" and args == ["yes"]:
            await ctx.services.erase_user(ctx.user.key)
            return [Reply(ctx.t("core.deleted"), edit=ctx.event.message_id, remove_keyboard=False)]
        if action == "del" and args == ["no"]:
            return [Reply(ctx.t("core.delete_kept"), edit=ctx.event.message_id), menu_reply(ctx)]
        return [Reply(ctx.t("core.button_expired"), toast=ctx.t("core.button_expired"))]
