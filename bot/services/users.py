"""Users: pseudonymous identity, language choice and encrypted conversation state."""

from __future__ import annotations

import datetime as dt
import time

from bot.chat import Conversation, Sender
from bot.privacy import Keyring
from i18n import normalize_language
from storage.users import UserRepository, UserRow


class UserService:
    def __init__(self, repo: UserRepository, keyring: Keyring, default_language: str) -> None:
        self.repo = repo
        self.keyring = keyring
        self.default_language = default_language

    def key_for(self, messenger: str, user_id: str) -> str:
        return self.keyring.user_key(messenger, user_id)

    async def identify(self, sender: Sender) -> UserRow:
        """The user behind an event, created on first contact. Their private chat is their user id."""
        key = self.key_for(sender.messenger, sender.user_id)
        today = dt.date.today().isoformat()
        user = await self.repo.get(key)  # the common case is one read: known, active, already seen today
        if user is not None and user.active and user.seen_on == today:
            return user
        address = self.keyring.encrypt(sender.user_id.encode(), key.encode())
        return await self.repo.upsert_seen(key, sender.messenger, address, today)

    def address_of(self, user: UserRow) -> str:
        """Decrypt the chat address of a user (only to send them a message)."""
        return self.keyring.decrypt(user.address, user.key.encode()).decode()

    def language_of(self, user: UserRow, sender: Sender | None = None) -> str:
        """Stored choice, else the messenger's language code prefix, else the deployment default."""
        if user.language:
            return user.language
        return normalize_language(sender.language_code if sender else None, self.default_language)

    async def set_language(self, key: str, language: str) -> None:
        await self.repo.set_language(key, language)

    async def load_conversation(self, key: str) -> tuple[Conversation | None, float]:
        """The open conversation (decrypted) and the time it was last written."""
        row = await self.repo.get_conversation(key)
        if row is None:
            return None, 0.0
        data = self.keyring.decrypt_json(row.data, key.encode())
        return Conversation(row.flow, row.step, data), row.updated_at

    async def save_conversation(self, key: str, conversation: Conversation) -> None:
        blob = self.keyring.encrypt_json(conversation.data, key.encode())
        await self.repo.save_conversation(key, conversation.flow, conversation.step, blob, time.time())

    async def clear_conversation(self, key: str) -> None:
        await self.repo.clear_conversation(key)

    async def delete(self, key: str) -> bool:
        return await self.repo.delete(key)

    async def deactivate(self, messenger: str, user_id: str) -> None:
        """The person blocked the bot or left the messenger: stop sending to them until they write again."""
        await self.repo.set_active(self.key_for(messenger, user_id), False)

    async def stored_language(self, messenger: str, user_id: str) -> str | None:
        """The language a person chose, if they are known (for answers outside the router, e.g. errors)."""
        row = await self.repo.get(self.key_for(messenger, user_id))
        return row.language if row is not None else None

    async def get(self, key: str) -> UserRow | None:
        return await self.repo.get(key)

    async def set_role(self, key: str, role: str) -> None:
        await self.repo.set_role(key, role)

    async def count(self) -> int:
        return await self.repo.count()
