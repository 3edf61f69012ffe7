"""Command line: ``python -m bot run | console | migrate``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.app import App
from bot.config import Settings, load_settings


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL contains the bot token. At DEBUG, python-telegram-bot logs
    # raw updates and API parameters (message text, chat ids) and aiosqlite logs statements: never below INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for name in ("telegram", "aiosqlite"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _run(settings: Settings, console: bool) -> None:
    use_console = console or settings.telegram_bot_token is None
    if use_console:
        from bot.fronts.console import console_settings

        settings = console_settings(settings)
    app = await App.create(settings)
    try:
        if use_console:
            from bot.fronts.console import ConsoleFront

            front = ConsoleFront(app)
            if not console:
                print(front.t("console.no_token"))
            await front.run()
        else:
            from bot.fronts.telegram import serve

            await serve(app)
    finally:
        await app.close()


async def _migrate(settings: Settings) -> None:
    from storage.db import Database

    db = await Database.open(settings.database_path, migrate=False)
    try:
        applied = await db.migrate()
        print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    finally:
        await db.close()


async def _check(settings: Settings) -> int:
    """Health check: the database opens and its schema is current (exit 0), else exit 1."""
    from storage.db import Database, migration_files

    db = await Database.open(settings.database_path, migrate=False)
    try:
        row = await db.fetchone("SELECT MAX(version) AS v FROM schema_version")
    except Exception:
        return 1
    finally:
        await db.close()
    latest = max(v for v, _, _ in migration_files())
    return 0 if row is not None and row["v"] == latest else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Vecinos bot")
    parser.add_argument("command", choices=["run", "console", "migrate", "check"], nargs="?", default="run",
                        help="run: Telegram (terminal chat without a token); console: terminal chat; "
                             "migrate: apply database migrations; check: health check (schema current)")
    args = parser.parse_args(argv)
    settings = load_settings()
    setup_logging(settings.log_level)
    if args.command == "check":
        return asyncio.run(_check(settings))
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
    else:
        asyncio.run(_run(settings, console=args.command == "console"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
