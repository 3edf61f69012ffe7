"""Start, main menu, help and the fallback for text outside any flow."""

from __future__ import annotations

from bot.chat import Button, Reply, callback
from handlers.channels import channel_lines
from handlers.flow import Context, Flow
from i18n import LANGUAGES

MENU_ITEMS = ("report", "rights", "alerts", "help")


def language_buttons(ctx: Context) -> list[list[Button]]:
    """One button per language, the current (guessed or chosen) language first."""
    order = sorted(LANGUAGES, key=lambda code: code != ctx.lang)
    return [[Button(ctx.services.translator.t(code, "core.language_name"), callback("start", "lang", code))
             for code in order]]


def menu_reply(ctx: Context, edit: str | None = None, intro: tuple[str, ...] = ()) -> Reply:
    """The main menu; ``intro`` paragraphs go above it in the same message (one API call instead of several)."""
    rows = [[Button(ctx.t("core.menu_report"), callback("start", "menu", "report"))],
            [Button(ctx.t("core.menu_rights"), callback("start", "menu", "rights")),
             Button(ctx.t("core.menu_alerts"), callback("start", "menu", "alerts"))],
            [Button(ctx.t("core.menu_help"), callback("start", "menu", "help"))]]
    return Reply("\n\n".join([*intro, ctx.t("core.menu_title")]), buttons=rows, edit=edit)


async def cancel_conversation(ctx: Context) -> list[Reply]:
    """A flow's Cancel button: end the conversation, say nothing was sent, show the menu."""
    await ctx.end()
    return [Reply(ctx.t("core.cancelled"), remove_keyboard=True), menu_reply(ctx)]


def help_reply(ctx: Context) -> Reply:
    settings = ctx.services.settings
    return Reply(ctx.t("core.help", hotline_name=settings.hotline_name, hotline_phone=settings.hotline_phone))


def privacy_text(ctx: Context) -> str:
    return ctx.t("core.privacy", minutes=int(ctx.services.settings.conversation_timeout_minutes))


def privacy_reply(ctx: Context) -> Reply:
    return Reply(privacy_text(ctx))


class StartFlow(Flow):
    """`/start` → language → privacy notice → main menu. Menu items open the flows registered for them."""

    name = "start"
    commands = ("start", "menu", "help", "ayuda")

    def __init__(self) -> None:
        self.entries: dict[str, Flow] = {}

    def register(self, item: str, flow: Flow) -> None:
        """Make a menu item open ``flow`` (its ``on_command`` receives the item name)."""
        assert item in MENU_ITEMS
        self.entries[item] = flow

    async def on_command(self, ctx: Context, command: str, args: str) -> list[Reply]:
        if command in ("help", "ayuda"):
            return [help_reply(ctx), menu_reply(ctx)]
        if command == "start" and ctx.user.language is None:
            return [Reply(ctx.t("core.welcome"), buttons=language_buttons(ctx))]
        if command == "start":
            return [menu_reply(ctx, intro=(privacy_text(ctx), *await channel_lines(ctx)))]
        return [menu_reply(ctx)]

    async def on_choice(self, ctx: Context, action: str, args: list[str]) -> list[Reply]:
        if action == "lang" and args and args[0] in LANGUAGES:
            await ctx.services.users.set_language(ctx.user.key, args[0])
            ctx.lang = args[0]
            # The language question becomes the confirmation, the privacy notice and the menu: one edit.
            return [menu_reply(ctx, edit=ctx.event.message_id, intro=(ctx.t("core.language_set"), privacy_text(ctx)))]
        if action == "menu" and args and args[0] in MENU_ITEMS:
            item = args[0]
            if item == "help":
                return [help_reply(ctx), menu_reply(ctx)]
            flow = self.entries.get(item)
            if flow is None:
                return [Reply(ctx.t("core.coming_soon"), toast=ctx.t("core.coming_soon"))]
            return await flow.on_command(ctx, item, "")
        return [Reply(ctx.t("core.button_expired"), toast=ctx.t("core.button_expired"))]
