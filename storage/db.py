"""SQLite connection and migrations.

Why one shared connection with a write lock: aiosqlite runs every statement on one worker thread, and an
explicit transaction must not interleave with another coroutine's statements. Single statements run in
autocommit mode, so every step is on disk before the bot answers (design principle 2).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """The packaged migrations as (version, name, sql), in order."""
    folder = resources.files("storage") / "migrations"
    found = []
    for item in folder.iterdir():
        match = _MIGRATION_NAME.match(item.name)
        if match:
            found.append((int(match.group(1)), item.name, item.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a number: {versions}")
    return found


class Database:
    """An open SQLite database with the project's pragmas applied."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA secure_delete=ON")
        db = cls(conn, path)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        await self.conn.close()

    async def migrate(self) -> list[str]:
        """Apply pending migrations in order; each in its own transaction. Returns the names applied."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )
        rows = await self.fetchall("SELECT version FROM schema_version")
        done = {r["version"] for r in rows}
        applied = []
        for version, name, sql in migration_files():
            if version in done:
                continue
            async with self.transaction():
                for statement in _split_sql(sql):
                    await self.conn.execute(statement)
                await self.conn.execute(
                    "INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, int(time.time())),
                )
            log.info("applied migration %s", name)
            applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """An exclusive write transaction (BEGIN IMMEDIATE), serialised with other writers of this process."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one write statement atomically; returns the number of rows changed."""
        async with self._write_lock:
            cursor = await self.conn.execute(sql, tuple(params))
            return cursor.rowcount

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (our migrations keep one statement per ';'-terminated block).

    Triggers contain ';' inside BEGIN … END, so a statement ends at ';' only when sqlite3 says it is complete.
    """
    import sqlite3

    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf and (not line.strip() or line.strip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    if buf.strip():
        raise RuntimeError(f"incomplete SQL statement in migration: {buf[:60]!r}")
    return statements
