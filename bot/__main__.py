"""Command line: ``python -m bot run | console | migrate | check | rotate-key``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app import App
from bot.config import Settings, load_settings


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.fronts.base import WithholdUpdateContent

    for handler in logging.getLogger().handlers:  # every record passes the handlers, whichever logger made it
        handler.addFilter(WithholdUpdateContent())
    # httpx logs every request URL at INFO, and the URL contains the bot token. At DEBUG, python-telegram-bot logs
    # raw updates and API parameters (message text, chat ids) and aiosqlite logs statements: never below INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for name in ("telegram", "aiosqlite"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def _run(settings: Settings, console: bool) -> None:
    """Every front whose settings are present; the terminal chat when none is (or when asked for)."""
    from bot.fronts.console import ConsoleFront, console_settings

    probe = App.configured_front_names(settings)
    use_console = console or not probe
    if use_console:
        settings = console_settings(settings)
    app = await App.create(settings)
    try:
        if use_console:
            front = ConsoleFront(app)
            if not console:
                print(front.t("console.no_token"))
            await front.run()
        else:
            await app.serve(app.configured_fronts())
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
        version = await db.schema_version()
    except Exception:
        return 1
    finally:
        await db.close()
    latest = max(v for v, _, _ in migration_files())
    return 0 if version == latest else 1


async def _rotate_key(settings: Settings, new_key_file: Path | None) -> int:
    """Re-encrypt the database under a fresh secret (stop the bot first). Why: a key that may have leaked must be
    replaceable without losing the users; the old key no longer opens anything once this commits.

    Order matters: the new key is written to disk before the database commits, so a crash in between leaves a
    ``.new`` key file that the next start points out (see Settings.resolved_secret), never a lost key.
    """
    import os
    import secrets

    from bot.config import write_key_file
    from bot.delivery.outbox import _address_context, _payload_context
    from bot.privacy import Keyring
    from storage.db import Database
    from storage.rekey import rotate_key
    from storage.reports import ReportRepository

    old = Keyring(settings.resolved_secret())
    from_env = settings.secret_key is not None
    key_file = settings.key_file()
    if new_key_file is None:
        in_place = not from_env and os.access(key_file.parent, os.W_OK) and (
            not key_file.exists() or os.access(key_file, os.W_OK))
        new_key_file = key_file.with_name(key_file.name + ".new") if in_place else \
            settings.data_dir.resolve().parent / "secret.key.rotated"
    else:
        in_place = False
    if new_key_file.resolve().is_relative_to(settings.data_dir.resolve()):
        print(f"refusing: {new_key_file} is inside the data folder; pass --new-key-file elsewhere", file=sys.stderr)
        return 2
    secret = secrets.token_urlsafe(48)
    write_key_file(new_key_file, secret)
    db = await Database.open(settings.database_path)
    try:
        await ReportRepository(db, old).seal_legacy()
        counts = await rotate_key(db, old, Keyring(secret.encode()), payload_context=_payload_context,
                                  address_context=_address_context)
    finally:
        await db.close()
    if in_place:
        os.replace(new_key_file, key_file)
        where = f"the new key replaced {key_file}"
    else:
        source = "SECRET_KEY" if from_env else str(key_file)
        where = (f"the new key is in {new_key_file}: put it into {source} (then delete that file) "
                 "before starting the bot")
    print("rotated: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    print(where + ". Back up the new key apart from the data; the old one no longer opens this database.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Vecinos bot")
    parser.add_argument("command", choices=["run", "console", "migrate", "check", "rotate-key"], nargs="?",
                        default="run",
                        help="run: every configured front, Telegram and/or Signal (terminal chat when none is); "
                             "console: terminal chat; "
                             "migrate: apply database migrations; check: health check (schema current); "
                             "rotate-key: re-encrypt the database under a new secret key (bot stopped)")
    parser.add_argument("--new-key-file", type=Path, default=None,
                        help="rotate-key: where to write the new key (default: replace the key file in place)")
    args = parser.parse_args(argv)
    settings = load_settings()
    setup_logging(settings.log_level)
    if args.command == "check":
        return asyncio.run(_check(settings))
    if args.command == "rotate-key":
        return asyncio.run(_rotate_key(settings, args.new_key_file))
    if args.command == "migrate":
        asyncio.run(_migrate(settings))
    else:
        asyncio.run(_run(settings, console=args.command == "console"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
