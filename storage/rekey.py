"""Key rotation: re-encrypt and re-key a whole database in one transaction (``python -m bot rotate-key``).

Here, with the SQL, rather than in :mod:`bot.privacy`: the keyrings are passed in (anything with ``encrypt``,
``decrypt``, ``user_key``, ``handle`` and ``tag``), and so are the outbox's encryption contexts, so that storage
imports nothing above it.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any, Protocol

from storage.db import Database


class Keyring(Protocol):
    def encrypt(self, plaintext: bytes, context: bytes = b"") -> bytes: ...

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes: ...

    def user_key(self, messenger: str, chat_id: str) -> str: ...

    def handle(self, user_key: str, prefix: str = "R", salt: bytes = b"") -> str: ...

    def tag(self, purpose: str, value: str, salt: bytes = b"") -> str: ...


# Encrypted columns with a fixed context: (table, column, context). Columns whose context is the owner's user key
# are handled by name in rotate_key; any other BLOB column is reported so a new one cannot be silently skipped.
FIXED_CONTEXT_COLUMNS = (
    ("reports", "details", b"report-details"),
    ("reports", "reporter_box", b"report-reporter"),
    ("report_messages", "body", b"relay"),
)
KNOWN_BLOB_COLUMNS = {("users", "address"), ("conversations", "data"), ("outbox", "payload"),
                      ("outbox", "address"), ("blocked_reporters", "salt"), ("choices", "options"),
                      *((t, c) for t, c, _ in FIXED_CONTEXT_COLUMNS)}


async def rotate_key(db: Database, old: Keyring, new: Keyring, *, payload_context: Callable[[str], bytes],
                     address_context: Callable[[str], bytes]) -> dict[str, int]:
    """Re-encrypt and re-key a whole database from ``old`` to ``new`` in one transaction; returns counts.

    Why every column: user keys are HMACs of the secret, so they change too, and every table that points at a
    user follows (foreign keys are checked at commit). Blocks and quota rows are keyed hashes that cannot be
    inverted: those of current users are re-tagged, those of people who erased themselves are dropped (counted).
    """
    counts: dict[str, int] = {}

    def bump(name: str, n: int = 1) -> None:
        counts[name] = counts.get(name, 0) + n

    async with db.transaction() as conn:
        await conn.execute("PRAGMA defer_foreign_keys = ON")
        users = await (await conn.execute("SELECT key, messenger, address, handle_salt FROM users")).fetchall()
        mapping: dict[str, str] = {}
        salts: dict[str, bytes] = {}
        for key, messenger, address, salt in users:
            chat_id = old.decrypt(address, key.encode()).decode()
            new_key = new.user_key(messenger, chat_id)
            mapping[key], salts[new_key] = new_key, bytes(salt or b"")
            await conn.execute("UPDATE users SET key = ?, address = ? WHERE key = ?",
                               (new_key, new.encrypt(chat_id.encode(), new_key.encode()), key))
            bump("users")
        # Every column that references users(key), wherever a migration put it.
        tables = [r[0] for r in await (await conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")).fetchall()]
        for table in tables:
            fks = await (await conn.execute(f"PRAGMA foreign_key_list({table})")).fetchall()  # noqa: S608
            for fk in fks:
                if fk[2] == "users":
                    for old_key, new_key in mapping.items():
                        await conn.execute(f"UPDATE {table} SET {fk[3]} = ? WHERE {fk[3]} = ?",  # noqa: S608
                                           (new_key, old_key))
        for user_key, data in await (await conn.execute("SELECT user_key, data FROM conversations")).fetchall():
            plain = old.decrypt(data, _reverse(mapping, user_key).encode())
            await conn.execute("UPDATE conversations SET data = ? WHERE user_key = ?",
                               (new.encrypt(plain, user_key.encode()), user_key))
            bump("conversations")
        rows = await (await conn.execute("SELECT id, user_key, messenger, address, payload FROM outbox")).fetchall()
        for row_id, user_key, messenger, address, payload in rows:
            owner_old = _reverse(mapping, user_key) if user_key else messenger
            owner_new = user_key or messenger
            try:
                new_payload = (new.encrypt(old.decrypt(payload, payload_context(owner_old)),
                                           payload_context(owner_new)) if payload else payload)
                new_address = (new.encrypt(old.decrypt(address, address_context(messenger)),
                                           address_context(messenger)) if address else address)
            except Exception:  # noqa: BLE001 a row we cannot read is cancelled, never sent garbled
                await conn.execute("UPDATE outbox SET status = 'cancelled', payload = X'', last_error = 'rekey' "
                                   "WHERE id = ? AND status IN ('queued', 'sending')", (row_id,))
                bump("outbox_cancelled")
                continue
            await conn.execute("UPDATE outbox SET payload = ?, address = ? WHERE id = ?",
                               (new_payload, new_address, row_id))
            bump("outbox")
        for table, column, context in FIXED_CONTEXT_COLUMNS:
            rows = await (await conn.execute(
                f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL")).fetchall()  # noqa: S608
            for rowid, blob in rows:
                plain = old.decrypt(blob, context)
                if column == "reporter_box":
                    owner = json.loads(plain)
                    owner["u"] = mapping.get(owner["u"])
                    if owner["u"] is None:  # the reporter erased themself meanwhile: drop the link
                        await conn.execute("UPDATE reports SET reporter_box = NULL WHERE rowid = ?", (rowid,))
                        continue
                    owner["h"] = new.handle(owner["u"], salt=salts[owner["u"]])  # handles derive from the key
                    plain = json.dumps(owner, separators=(",", ":")).encode()
                await conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?",  # noqa: S608
                                   (new.encrypt(plain, context), rowid))
                bump(f"{table}.{column}")
        # Numbered choices shown on Signal are short-lived and encrypted under the old key: forget them (people
        # who answer an old number are asked again).
        bump("choices_forgotten", (await conn.execute("DELETE FROM choices")).rowcount)
        bump("blocks_dropped", await _retag(conn, "blocked_reporters", "block", old, new, mapping, salted=True))
        bump("quota_dropped", await _retag(conn, "report_quota", "quota", old, new, mapping, salted=False))
        for table in tables:
            for col in await (await conn.execute(f"PRAGMA table_info({table})")).fetchall():  # noqa: S608
                if col[2].upper() == "BLOB" and (table, col[1]) not in KNOWN_BLOB_COLUMNS:
                    bump(f"UNKNOWN {table}.{col[1]} (not re-encrypted)")
    db.erased()
    await db.checkpoint()
    return counts


def _reverse(mapping: dict[str, str], new_key: str) -> str:
    back = {key: old_key for old_key, key in mapping.items()}
    return back.get(new_key, new_key)


async def _retag(conn: Any, table: str, purpose: str, old: Keyring, new: Keyring, mapping: dict[str, str], *,
                 salted: bool) -> int:
    """Re-tag keyed-hash rows of current users; drop the rest. Returns the number dropped."""
    salt_col = "salt" if salted else "X''"
    rows = await (await conn.execute(f"SELECT rowid, tag, {salt_col} FROM {table}")).fetchall()  # noqa: S608
    dropped = 0
    for rowid, tag, salt in rows:
        for old_key, new_key in mapping.items():
            if hmac.compare_digest(old.tag(purpose, old_key, bytes(salt)), tag):
                await conn.execute(f"UPDATE {table} SET tag = ? WHERE rowid = ?",  # noqa: S608
                                   (new.tag(purpose, new_key, bytes(salt)), rowid))
                break
        else:
            await conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))  # noqa: S608
            dropped += 1
    return dropped
