"""Pseudonyms and encryption at rest.

Why: a leaked database must not reveal who uses the bot. A user's key is an HMAC of (messenger, chat id)
with a deployment secret; the chat id needed to write back is stored only AES-GCM encrypted; reporters are
shown to moderators as handles derived the same way, never as ids. The secret never sits beside the data
(see :meth:`bot.config.Settings.resolved_secret`); :func:`rotate_key` re-encrypts a database under a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    pass


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"vecinos-v1", info=purpose).derive(secret)


class Keyring:
    """Keys derived from the one deployment secret, each for one purpose."""

    def __init__(self, secret: bytes) -> None:
        self._id_key = _derive(secret, b"user-id")
        self._handle_key = _derive(secret, b"reporter-handle")
        self._tag_key = _derive(secret, b"tags")
        self._aead = AESGCM(_derive(secret, b"at-rest"))

    def user_key(self, messenger: str, chat_id: str) -> str:
        """Stable pseudonymous key for a user on a messenger."""
        msg = f"{messenger}:{chat_id}".encode()
        return hmac.new(self._id_key, msg, hashlib.sha256).hexdigest()

    def handle(self, user_key: str, prefix: str = "R", salt: bytes = b"") -> str:
        """A handle such as ``R-7F3A-9KQ2`` (reporter) or ``M-01C2-XB4T`` (moderator) instead of any identity.

        40 bits: a 50 % chance of two people sharing one needs about 1.2 million people (16 bits collided at 300).
        ``salt`` is drawn per user row, so someone who used /delete_me comes back with a new handle.
        """
        msg = prefix.encode() + b":" + salt + b":" + user_key.encode()
        code = base64.b32encode(hmac.new(self._handle_key, msg, hashlib.sha256).digest()[:5]).decode()
        return f"{prefix}-{code[:4]}-{code[4:]}"

    def tag(self, purpose: str, value: str, salt: bytes = b"") -> str:
        """A keyed hash of ``value`` for one purpose (quota, block): equal only within that purpose, so no two
        tables share a joinable column, and meaningless without the secret."""
        msg = purpose.encode() + b"\0" + salt + b"\0" + value.encode()
        return hmac.new(self._tag_key, msg, hashlib.sha256).hexdigest()[:32]

    def encrypt(self, plaintext: bytes, context: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes:
        return self._aead.decrypt(blob[:12], blob[12:], context)

    def encrypt_json(self, value: Any, context: bytes = b"") -> bytes:
        return self.encrypt(json.dumps(value, separators=(",", ":")).encode(), context)

    def decrypt_json(self, blob: bytes, context: bytes = b"") -> Any:
        return json.loads(self.decrypt(blob, context))
