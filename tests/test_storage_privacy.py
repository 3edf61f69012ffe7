"""Storage and privacy by construction: migrations, encryption at rest, erasure, settings errors."""

from __future__ import annotations

import asyncio
import time

import pytest
from cryptography.exceptions import InvalidTag

from bot.app import App
from bot.chat import Conversation, Event, Sender
from bot.config import ConfigError, Settings, load_settings
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
    assert a.handle("k").startswith("R-") and len(a.handle("k")) == len("R-7F3A-9KQ2")
    assert a.handle("k", prefix="M") != a.handle("k")
    assert a.handle("k", salt=b"1") != a.handle("k", salt=b"2")  # re-drawn with the user row's salt
    assert a.tag("quota", "k") != a.tag("block", "k") != b.tag("block", "k")
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


def test_settings_read_env_file_and_generate_secret(monkeypatch, tmp_path, caplog) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / ".env").write_text("ADMIN_IDS=1,2\nDATABASE_PATH=d/v.db\nDEFAULT_LANGUAGE=en\n"
                                   "TELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\n")
    settings = load_settings()
    assert settings.default_language == "en"
    assert settings.telegram_api_base_url == "http://127.0.0.1:9/bot"
    secret = settings.resolved_secret()
    key_file = tmp_path / "config" / "vecinos" / "secret.key"
    assert len(secret) >= 32 and key_file.exists() and not (tmp_path / "d" / "secret.key").exists()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "GENERATED A NEW SECRET KEY" in caplog.text  # loud, so the operator backs it up
    assert settings.resolved_secret() == secret  # generated once, then reused


def test_a_key_beside_the_database_is_moved_out(monkeypatch, tmp_path, caplog) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret.key").write_text("k" * 48 + "\n")
    settings = Settings(_env_file=None, database_path=data / "vecinos.db")  # type: ignore[call-arg]
    assert settings.resolved_secret() == b"k" * 48
    assert not (data / "secret.key").exists()
    assert (tmp_path / "config" / "vecinos" / "secret.key").read_text().strip() == "k" * 48
    assert "MOVED the secret key out of the data folder" in caplog.text
    # Never written back: later starts read it from the config folder only.
    assert settings.resolved_secret() == b"k" * 48 and not (data / "secret.key").exists()
    # A key file inside the data folder is refused; so is a second, different key beside the database.
    inside = Settings(_env_file=None, database_path=data / "vecinos.db",  # type: ignore[call-arg]
                      secret_key_file=data / "k.key")
    with pytest.raises(ConfigError, match="inside the data folder"):
        inside.resolved_secret()
    (data / "secret.key").write_text("z" * 48)
    with pytest.raises(ConfigError, match="different key"):
        settings.resolved_secret()


def test_secret_from_a_secrets_file(tmp_path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "secret_key").write_text("s" * 40 + "\n")
    settings = Settings(_env_file=None, database_path=tmp_path / "data" / "v.db",  # type: ignore[call-arg]
                        secret_key_file=tmp_path / "run" / "secret_key")
    assert settings.resolved_secret() == b"s" * 40


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
        assert (await services.moderation.decide(new, "blk", moderator.key, reason="spam")).ok
        # /delete_me inside the Block's undo window: the block is applied first, not escaped
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


async def test_rotate_key_reencrypts_everything(monkeypatch, tmp_path, capsys) -> None:
    """`python -m bot rotate-key`: afterwards the new key opens everything, the old one opens nothing."""
    from bot.__main__ import main

    data, key_file = tmp_path / "data", tmp_path / "keys" / "secret.key"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(data / "vecinos.db"))
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))
    settings = load_settings()
    app = await App.create(settings)
    old_secret = key_file.read_text().strip().encode()
    try:
        services = app.services
        sender = Sender("telegram", "4711", "4711", "en")
        user = await services.users.identify(sender)
        await services.alerts.repo.add_subscription(user.key, 41.85, -87.66, 1600, "a", "a", time.time())
        report_id = await services.reports.submit(user.key, "en", {**REPORT, "details": "blue truck"})
        handle = (await services.reports.repo.get(report_id)).reporter_handle
        await services.users.save_conversation(user.key, Conversation("report", "details", {"details": "x"}))
        blocked = await services.users.identify(Sender("telegram", "4712", "4712", "en"))
        blocked_report = await services.reports.submit(blocked.key, "en", REPORT)
        moderator = await services.users.identify(Sender("telegram", "4713", "4713", "en"))
        assert (await services.moderation.decide(blocked_report, "blk", moderator.key, reason="spam")).ok
        assert await services.moderation.finish(blocked_report)  # the undo window closes: the block applies
    finally:
        await app.close()

    await asyncio.to_thread(main, ["rotate-key"])
    assert "rotated:" in capsys.readouterr().out
    new_secret = key_file.read_text().strip().encode()
    assert new_secret != old_secret and not key_file.with_name("secret.key.new").exists()

    app = await App.create(load_settings())
    try:
        services = app.services
        user = await services.users.identify(Sender("telegram", "4711", "4711", "en"))
        assert services.users.address_of(user) == "4711"
        assert await services.alerts.repo.subscriptions_of(user.key)  # followed the new user key
        conversation, _ = await services.users.load_conversation(user.key)
        assert conversation is not None and conversation.data == {"details": "x"}
        report = await services.reports.repo.get(report_id)
        assert report.reporter == user.key and report.reporter_handle != handle  # handles are re-derived
        assert services.reports.details_of(report) == "blue truck"
        blocked = await services.users.identify(Sender("telegram", "4712", "4712", "en"))
        assert (await services.reports.refusal(blocked.key)).key == "report.paused"
        row = await services.db.fetchone("SELECT address FROM users WHERE key = ?", (user.key,))
        with pytest.raises(InvalidTag):
            Keyring(old_secret).decrypt(row["address"], user.key.encode())
    finally:
        await app.close()


async def test_database_files_are_private(tmp_path) -> None:
    db = await Database.open(tmp_path / "d" / "v.db")
    try:
        await db.execute("CREATE TABLE t(x)")
        for path in (tmp_path / "d").iterdir():
            assert path.stat().st_mode & 0o077 == 0, path
        pragmas = {p: (await db.fetchone(f"PRAGMA {p}"))[0] for p in ("secure_delete", "journal_size_limit")}
        assert pragmas == {"secure_delete": 1, "journal_size_limit": 0}
    finally:
        await db.close()
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["v.db"]  # log checkpointed and removed


async def test_upgrade_seals_authors_and_blocks_kept_in_clear(make_settings, monkeypatch) -> None:
    """A database from before migration 0008 (user keys in reports and blocks) ends up sealed and unlinkable."""
    import storage.db as storage_db

    settings = make_settings()
    keyring = Keyring(settings.resolved_secret())
    author, blocked = keyring.user_key("telegram", "501"), keyring.user_key("telegram", "502")
    every = storage_db.migration_files()
    monkeypatch.setattr(storage_db, "migration_files", lambda: [m for m in every if m[0] < 8])
    db = await Database.open(settings.database_path)
    try:
        for key in (author, blocked):
            await db.execute("INSERT INTO users(key, messenger, address, created_on, seen_on) VALUES "
                             "(?, 'telegram', ?, '2026-01-01', '2026-01-01')",
                             (key, keyring.encrypt(b"5", key.encode())))
        await db.execute(
            "INSERT INTO reports(reporter, reporter_handle, activity, lat, lon, place_en, place_es, observed_at, "
            "when_bucket, agents, vehicles, markings, language, created_at) VALUES "
            "(?, 'R-OLD1', 'street', 41.85, -87.66, 'x', 'x', ?, 'now', '1-2', '1', 'ice', 'en', ?)",
            (author, time.time(), time.time()))
        await db.execute("INSERT INTO blocked_reporters(user_key, blocked_at, blocked_by) VALUES (?, 1, 'M')",
                         (blocked,))
    finally:
        await db.close()
    monkeypatch.setattr(storage_db, "migration_files", lambda: every)
    app = await App.create(settings)
    try:
        services = app.services
        assert (await services.reports.refusal(blocked)).key == "report.paused"  # before housekeeping too
        await app.housekeeping()
        report = await services.reports.repo.get(1)
        assert report.reporter == author and report.reporter_handle == "R-OLD1"
        assert (await services.reports.refusal(blocked)).key == "report.paused"
        for table in ("legacy_report_owner", "legacy_blocked"):
            assert (await services.db.fetchone(f"SELECT COUNT(*) FROM {table}"))[0] == 0  # noqa: S608
    finally:
        await app.close()
    raw = settings.database_path.read_bytes()
    # Each key is left only in its users row and that table's index: the old reports and block rows are zeroed.
    assert raw.count(author.encode()) == raw.count(blocked.encode()) == 2


async def test_report_ids_are_never_reused_after_a_purge(make_settings) -> None:
    """An old moderator button (v1:mod:ok:<id>) must not reach a new report that got the same id."""
    app = await App.create(make_settings())
    try:
        services = app.services
        user = await services.users.identify(Sender("telegram", "48", "48", "en"))
        first = await services.reports.submit(user.key, "en", REPORT, now=time.time() - 90 * 86400)
        await app.housekeeping()
        assert await services.reports.repo.get(first) is None
        again = await services.reports.submit(user.key, "en", REPORT)
        assert again > first
        report = await services.reports.repo.get(again)
        assert report.created_at % 300 == 0 and report.observed_at % 300 == 0  # kept to 5 minutes
    finally:
        await app.close()
