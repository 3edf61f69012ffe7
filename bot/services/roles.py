"""Who may do what, with messenger-qualified ids (``telegram:123``, ``signal:+13125550100``, ``signal:<uuid>``).

Why qualified: with two messengers a bare number cannot say whose id it is. Plain numbers keep meaning Telegram,
so existing ``ADMIN_IDS`` and ``MODERATOR_CHAT_ID`` values keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat import Sender, split_qualified

if TYPE_CHECKING:
    from bot.config import Settings

class RoleService:
    """Deployment-level roles from settings (admins, the moderators' room); granted roles live on user rows."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def is_admin_id(self, sender: Sender) -> bool:
        return f"{sender.messenger}:{sender.user_id}" in self.settings.admin_ids

    def moderators_room(self) -> tuple[str, str] | None:
        """(messenger, chat id) of the moderators' group, if configured."""
        room = self.settings.moderator_chat_id
        return split_qualified(room) if room else None

    def in_moderators_room(self, sender: Sender) -> bool:
        room = self.moderators_room()
        return room is not None and room == (sender.messenger, sender.chat_id)
