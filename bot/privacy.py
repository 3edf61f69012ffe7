"""Pseudonyms and encryption at rest.

Why: a leaked database must not reveal who uses the bot. A user's key is an HMAC of (messenger, chat id)
with a deployment secret; the chat id needed to write back is stored only AES-GCM encrypted; reporters are
shown to moderators as short handles derived the same way, never as ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"vecinos-v1", info=purpose).derive(secret)


class Keyring:
    """Keys derived from the one deployment secret, each for one purpose."""

    def __init__(self, secret: bytes) -> None:
        self._id_key = _derive(secret, b"user-id")
        self._handle_key = _derive(secret, b"reporter-handle")
        self._aead = AESGCM(_derive(secret, b"at-rest"))

    def user_key(self, messenger: str, chat_id: str) -> str:
        """Stable pseudonymous key for a user on a messenger."""
        msg = f"{messenger}:{chat_id}".encode()
        return hmac.new(self._id_key, msg, hashlib.sha256).hexdigest()

    def handle(self, user_key: str, prefix: str = "R") -> str:
        """Short handle such as ``R-7F3A`` (reporter) or ``M-01C2`` (moderator) instead of any identity."""
        digest = hmac.new(self._handle_key, f"{prefix}:{user_key}".encode(), hashlib.sha256).hexdigest()
        return f"{prefix}-{digest[:4].upper()}"

    def encrypt(self, plaintext: bytes, context: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes:
        return self._aead.decrypt(blob[:12], blob[12:], context)

    def encrypt_json(self, value: Any, context: bytes = b"") -> bytes:
        return self.encrypt(json.dumps(value, separators=(",", ":")).encode(), context)

    def decrypt_json(self, blob: bytes, context: bytes = b"") -> Any:
        return json.loads(self.decrypt(blob, context))
