"""Storage and privacy by construction: migrations, encryption at rest, erasure, settings errors."""

from __future__ import annotations

import asyncio
import time

import pytest
from cryptography.exceptions import InvalidTag

from bot.app import App
from bot.chat import Conversation, Event, Sender
from bot.config import ConfigError, load_settings
from bot.privacy import Keyring
from storage.db import Database, migration_files


async def test_migrations_apply_once_in_order(tmp_path) -> None:
    db = await Database.open(tmp_path / "m.db")
    try:
        versions = [v for v, _, _ in migration_files()]
        assert versions == sorted(versions) and versions[0] == 1
        rows = await db.fetchall("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == versions
        assert await db.migrate() == []  # idempotent
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk[0] == 1
    finally:
        await db.close()


async def test_database_file_does_not_reveal_users(make_settings) -> None:
    settings = make_settings()
    app = await App.create(settings)
    try:
        sender = Sender("telegram", "5550123987", "5550123987", "es-MX")
        await app.router.handle(Event(sender, "command", command="start"))
        await app.router.handle(Event(sender, "command", command="reportar"))
        await app.router.handle(Event(sender, "choice", choice="v1:report:a:activity:home"))
        user = await app.services.users.identify(sender)
        assert app.services.users.address_of(user) == "5550123987"
    finally:
        await app.close()
    raw = b"".join(p.read_bytes() for p in settings.database_path.parent.glob("vecinos.db*"))
    assert b"5550123987" not in raw
    db = await Database.open(settings.database_path)
    try:
        row = await db.fetchone("SELECT data FROM conversations")
        assert row is not None and b"activity" not in bytes(row["data"])
        columns = {r["name"] for r in await db.fetchall("PRAGMA table_info(users)")}
        assert not columns & {"username", "first_name", "last_name", "phone", "name"}
    finally:
        await db.close()


async def test_delete_me_erases_everything_linked(make_settings) -> None:
    app = await App.create(make_settings())
    try:
        sender = Sender("telegram", "42", "42", "en")
        user = await app.services.users.identify(sender)
        await app.services.alerts.repo.add_subscription(user.key, 41.85, -87.66, 1600, "a", "a", time.time())
        await app.services.alerts.repo.set_quiet_hours(user.key, 22, 7)
        report_id = await app.services.reports.submit(user.key, "en", {
            "activity": "street", "lat": 41.85, "lon": -87.66, "place_en": "x", "place_es": "x",
            "when": "now", "agents": "1-2", "vehicles": "1", "markings": "ice", "details": "grey van"})
        await app.router.handle(Event(sender, "choice", choice="v1:account:del:yes"))
        db = app.services.db
        for table in ("users", "conversations", "subscriptions", "subscriptions_box", "alert_prefs"):
            row = await db.fetchone(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 fixed names
            assert row["n"] == 0, table
        report = await app.services.reports.repo.get(report_id)
        assert report is not None and report.reporter is None  # the report stays, unlinked
    finally:
        await app.close()


def test_keyring_pseudonyms_are_stable_and_secret_dependent() -> None:
    a, b = Keyring(b"x" * 40), Keyring(b"y" * 40)
    assert a.user_key("telegram", "1") == a.user_key("telegram", "1") != b.user_key("telegram", "1")
    assert a.user_key("telegram", "1") != a.user_key("console", "1")
    assert a.handle("k").startswith("R-") and len(a.handle("k")) == 6
    assert a.handle("k", prefix="M") != a.handle("k")
    blob = a.encrypt(b"secret", b"ctx")
    assert a.decrypt(blob, b"ctx") == b"secret"
    with pytest.raises(InvalidTag):
        a.decrypt(blob, b"other")


def test_invalid_settings_name_the_setting_and_the_fix(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_IDS", "12, abc")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    with pytest.raises(ConfigError) as err:
        load_settings()
    text = str(err.value)
    assert "ADMIN_IDS" in text and "comma-separated" in text
    assert "TELEGRAM_BOT_TOKEN" in text and "@BotFather" in text
    monkeypatch.delenv("ADMIN_IDS")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    monkeypatch.setenv("GEOCODER", "nominatim")
    with pytest.raises(ConfigError, match="GEOCODER_USER_AGENT"):
        load_settings()


def test_settings_read_env_file_and_generate_secret(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ADMIN_IDS=1,2\nDATABASE_PATH=d/v.db\nDEFAULT_LANGUAGE=en\n"
                                   "TELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\n")
    settings = load_settings()
    assert settings.admin_ids == frozenset({1, 2}) and settings.default_language == "en"
    assert settings.telegram_api_base_url == "http://127.0.0.1:9/bot"
    secret = settings.resolved_secret()
    assert len(secret) >= 32 and (tmp_path / "d" / "secret.key").exists()
    assert settings.resolved_secret() == secret  # generated once, then reused


async def test_stale_conversation_ends_politely(make_settings) -> None:
    app = await App.create(make_settings(conversation_timeout_minutes=0.001))
    try:
        sender = Sender("telegram", "77", "77", "en")
        await app.router.handle(Event(sender, "command", command="report"))
        await asyncio.sleep(0.1)
        replies = await app.router.handle(Event(sender, "text", text="47th and Ashland"))
        assert "earlier conversation ended" in replies[0].text
        assert replies[-1].text == "What would you like to do?"
        conversation, _ = await app.services.users.load_conversation(app.services.users.key_for("telegram", "77"))
        assert conversation is None
    finally:
        await app.close()


REPORT = {"activity": "street", "lat": 41.85, "lon": -87.66, "place_en": "x", "place_es": "x", "when": "now",
          "agents": "1-2", "vehicles": "1", "markings": "ice"}


async def test_delete_me_does_not_lift_a_block_or_reset_the_quota(make_settings) -> None:
    app = await App.create(make_settings(report_cooldown_seconds=0))
    try:
        services = app.services
        sender = Sender("telegram", "43", "43", "en")
        user = await services.users.identify(sender)
        first = await services.reports.submit(user.key, "en", REPORT)
        await services.reports.submit(user.key, "en", REPORT)
        await services.reports.submit(user.key, "en", REPORT)
        await services.erase_user(user.key)
        user = await services.users.identify(sender)  # comes back as "new"
        refusal = await services.reports.refusal(user.key)
        assert refusal is not None and refusal.key == "report.too_many"
        assert (await services.reports.repo.get(first)).reporter_handle == "R-····"  # old reports unlinked
        moderator = await services.users.identify(Sender("telegram", "44", "44", "en"))
        new = await services.reports.submit(user.key, "en", REPORT, now=time.time() + 3700)
        assert (await services.moderation.decide(new, "blk", moderator.key)).ok
        await services.erase_user(user.key)
        user = await services.users.identify(sender)
        refusal = await services.reports.refusal(user.key, now=time.time() + 3 * 3600)
        assert refusal is not None and refusal.key == "report.paused"
    finally:
        await app.close()


async def test_housekeeping_forgets_old_reports_drafts_and_quota(make_settings) -> None:
    app = await App.create(make_settings(report_retention_days=1))
    try:
        services = app.services
        reporter = await services.users.identify(Sender("telegram", "45", "45", "es"))
        subscriber = await services.users.identify(Sender("telegram", "46", "46", "es"))
        await services.alerts.repo.add_subscription(subscriber.key, 41.85, -87.66, 5000, "p", "p", time.time())
        old = await services.reports.submit(reporter.key, "es", REPORT, now=time.time() - 2 * 86400)
        await services.moderation.decide(old, "ok", reporter.key)
        fresh = await services.reports.submit(reporter.key, "es", REPORT)
        await services.users.save_conversation(subscriber.key, Conversation(
            "report", "details", {"details": "draft"}))
        await services.db.execute("UPDATE conversations SET updated_at = ?", (time.time() - 2 * 86400,))
        await app.housekeeping()
        assert await services.reports.repo.get(old) is None and await services.reports.repo.get(fresh) is not None
        for table in ("alerts", "alert_reports", "conversations"):
            row = await services.db.fetchone(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608 fixed names
            assert row["n"] == 0, table
        quota = await services.db.fetchone("SELECT COUNT(*) AS n FROM report_quota")
        assert quota["n"] == 1  # only the fresh report still counts towards the hourly limit
    finally:
        await app.close()
