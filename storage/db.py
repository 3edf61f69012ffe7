"""SQLite connection and migrations.

Why one shared connection with a write lock: aiosqlite runs every statement on one worker thread, and an
explicit transaction must not interleave with another coroutine's statements. Single statements run in
autocommit mode, so every step is on disk before the bot answers (design principle 2).

Why the checkpoints (issue 11): SQLite's write-ahead log keeps the old version of every page it changed until a
checkpoint, and a reset log keeps stale frames past its new end. A copy of the folder would then give back what was
erased. So deleted content is zeroed (secure_delete), the log is truncated to nothing at every reset
(journal_size_limit=0), temporary tables and sorts stay in memory, and after an erasure commits the log is
checkpointed and truncated at once (:meth:`Database.erased` marks it, the commit runs it). Files are 0600.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
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
        self._erased = False

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            _create_private(path)
        old_umask = os.umask(0o077)  # the -wal and -shm files SQLite creates next: owner only
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
            conn.row_factory = aiosqlite.Row
            for pragma in PRAGMAS:
                await conn.execute(f"PRAGMA {pragma}")
        finally:
            os.umask(old_umask)
        db = cls(conn, path)
        if str(path) != ":memory:":
            for suffix in ("-wal", "-shm"):
                _chmod_private(Path(f"{path}{suffix}"))
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        """Checkpoint and truncate the log before closing, so a stopped bot leaves only the main file."""
        try:
            await self.checkpoint()
        except Exception:  # closing must not fail because the log could not be truncated
            log.warning("could not checkpoint the write-ahead log at close", exc_info=True)
        finally:
            await self.conn.close()

    def erased(self) -> None:
        """Call inside any write that deletes or blanks personal data: the log is truncated after it commits."""
        self._erased = True

    async def checkpoint(self, attempts: int = 3) -> bool:
        """Copy the write-ahead log into the database and truncate it to zero bytes (PRAGMA wal_checkpoint
        (TRUNCATE)). A reader in another connection can hold it back; retried briefly. True when done."""
        self._erased = False
        for attempt in range(attempts):
            try:
                async with self._write_lock:
                    row = await (await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")).fetchone()
            except sqlite3.OperationalError as exc:  # a statement of ours still open ("table is locked")
                log.debug("checkpoint postponed: %s", exc)
                row = (1,)
            if row is None or row[0] == 0:
                return True
            await asyncio.sleep(0.05 * (attempt + 1))
        self._erased = True  # try again after the next commit
        log.warning("could not truncate the write-ahead log (a reader held it); will retry")
        return False

    async def _after_commit(self) -> None:
        if self._erased:
            await self.checkpoint()

    async def migrate(self) -> list[str]:
        """Apply pending migrations in order; each in its own transaction. Returns the names applied."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        )
        rows = await self.fetchall("SELECT version FROM schema_version")
        done = {r["version"] for r in rows}
        applied = []
        pending = [(v, n, sql) for v, n, sql in migration_files() if v not in done]
        if not pending:
            return applied
        # Foreign keys off while migrating (SQLite's documented recipe for rebuilding a table that others
        # reference: otherwise DROP TABLE would cascade); each migration is checked before it commits.
        await self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            for version, name, sql in pending:
                async with self.transaction():
                    for statement in _split_sql(sql):
                        await self.conn.execute(statement)
                    broken = await (await self.conn.execute("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"migration {name} leaves broken references: {[tuple(b) for b in broken]}")
                    await self.conn.execute(
                        "INSERT INTO schema_version(version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, int(time.time())),
                    )
                log.info("applied migration %s", name)
                applied.append(name)
        finally:
            await self.conn.execute("PRAGMA foreign_keys=ON")
        self.erased()  # a migration may drop columns that held personal data
        await self._after_commit()
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
        await self._after_commit()

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one write statement atomically; returns the number of rows changed."""
        async with self._write_lock:
            cursor = await self.conn.execute(sql, tuple(params))
            changed = cursor.rowcount
        await self._after_commit()
        return changed

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())


PRAGMAS = (
    "journal_mode=WAL",
    "foreign_keys=ON",
    "busy_timeout=5000",
    "synchronous=NORMAL",
    "secure_delete=ON",  # deleted rows and freed pages are overwritten with zeros
    "journal_size_limit=0",  # the WAL is truncated at every reset, so no stale frames linger past its end
    "temp_store=MEMORY",  # sorts and temporary tables never become files
)


def _create_private(path: Path) -> None:
    """Create the database file 0600 before SQLite does (it would use the umask, typically 0644)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    _chmod_private(path)


def _chmod_private(path: Path) -> None:
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


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

    async def schema_version(self) -> int | None:
        """The newest migration applied (the health check compares it with the newest shipped)."""
        row = await self.fetchone("SELECT MAX(version) AS v FROM schema_version")
        return None if row is None else row["v"]
