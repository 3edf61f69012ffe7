"""Settings, read once at start from the environment and ``.env`` (pydantic-settings).

Why one place: configuration errors must stop the bot at start with a message that names the setting and
how to fix it, and nothing else in the code reads ``os.environ``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.chat import qualify

log = logging.getLogger(__name__)


_CHANNEL_CHAT = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{4,31}|-100\d{5,15})$")


def valid_chat(chat: str) -> bool:
    return bool(_CHANNEL_CHAT.match(chat))


def parse_channels(value: str) -> dict[int, tuple[str, str | None]]:
    """``NEIGHBOURHOOD_CHANNELS``: ``31=@vecinos_pilsen, 30=-1001234567890|https://t.me/+AbCd`` (area=chat|link)."""
    mapping: dict[int, tuple[str, str | None]] = {}
    for part in (p.strip() for p in value.replace(";", ",").split(",")):
        if not part:
            continue
        area, _, rest = part.partition("=")
        chat, _, link = rest.strip().partition("|")
        if not area.strip().isdigit() or not valid_chat(chat.strip()):
            raise ValueError(f"NEIGHBOURHOOD_CHANNELS: {part!r} is not AREA=@channel or AREA=-100ID|LINK")
        mapping[int(area)] = (chat.strip(), link.strip() or None)
    return mapping


class Settings(BaseSettings):
    """Every setting of a deployment. Names are the environment variables (upper case)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("./data/vecinos.db")
    # Messenger-qualified ids ("telegram:-100123", "signal:<group id>"); a plain number means Telegram.
    moderator_chat_id: str | None = None
    admin_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    default_language: Literal["es", "en"] = "es"
    secret_key: SecretStr | None = None
    # Where the deployment secret lives (issue 11): never in the database's folder, so a copy or backup of that
    # folder decrypts nothing. SECRET_KEY wins; else SECRET_KEY_FILE (a Docker/compose secret); else a file
    # generated once under $XDG_CONFIG_HOME/vecinos/ (~/.config/vecinos/). See docs/threat-model.md.
    secret_key_file: Path | None = None
    xdg_config_home: Path | None = None

    conversation_timeout_minutes: float = Field(30, gt=0)
    rate_limit_per_second: float = Field(30, ge=0, description="Bot API calls/s overall; 0 disables")
    # Retries of direct Bot API calls: the first wait; each retry doubles it (tests shorten it).
    telegram_retry_base_delay: float = Field(0.5, gt=0)
    telegram_poll_timeout: int = Field(10, ge=0)  # seconds one getUpdates long poll may wait

    # Signal (issue 10): both set → the Signal front runs beside Telegram. See docs/signal.md.
    signal_rpc_url: str | None = None  # signal-cli daemon: http://127.0.0.1:8080 or tcp://127.0.0.1:7583
    signal_account: str | None = None  # the bot's registered number, e.g. +13125550100
    log_level: str = "INFO"

    hotline_name: str = "ICIRR Family Support Network"
    hotline_phone: str = "1-855-435-7693"
    timezone: str = "America/Chicago"
    faq_path: Path | None = None  # folder of FAQ TOML files; default: the packaged i18n/faq
    faq_cache_dir: Path | None = None  # trained search models kept between starts; default: none (train each start)

    # Places (issue 3): offline gazetteer by default; an online geocoder reveals typed addresses to its operator.
    service_area_name: str = "Chicago"
    service_area_margin_km: float = Field(2.0, ge=0)
    coarsen_meters: float = Field(150.0, ge=0)
    geocoder: Literal["offline", "nominatim", "photon"] = "offline"
    geocoder_user_agent: str = ""
    gazetteer_path: Path | None = None

    # Delivery worker (durable outbox): Telegram allows about 30 msg/s overall, 1/s per chat, 20/min per group.
    delivery_rate_per_second: float = Field(25, gt=0)
    delivery_per_chat_interval: float = Field(1.0, ge=0)
    delivery_group_per_minute: int = Field(20, ge=1)
    delivery_max_attempts: int = Field(8, ge=1)
    delivery_base_backoff: float = Field(1.0, gt=0)  # seconds before the first retry of a failed row; doubles
    # Paid broadcast (issue 15): alert fan-outs (never direct replies or broadcasts) sent with Telegram's
    # allow_paid_broadcast, up to 1,000 msg/s for 0.1 Star a message from the bot's balance (eligible bots only).
    paid_broadcast: bool = False  # off by default: it spends Stars
    paid_broadcast_rate_per_second: float = Field(500, gt=0, le=1000)  # Telegram's ceiling is 1,000 msg/s
    paid_broadcast_daily_stars_cap: int = Field(1000, ge=0)  # Stars per UTC day; at the cap, back to the free rate
    signal_rate_per_second: float = Field(1.0, gt=0)  # Signal publishes no quota; stay slow, honour rate limits

    # Alerts (issue 5)
    alerts_per_hour: int = Field(4, ge=1)
    alert_expiry_hours: float = Field(6, gt=0)
    distance_unit: Literal["mi", "km"] = "mi"
    # Neighbourhood channels (issue 15): "31=@vecinos_pilsen, 30=-1001234567890|https://t.me/+invite" (community
    # area = channel, optionally | the link residents are shown). Admins can also set them with /channel_set.
    neighbourhood_channels: str = ""
    # An area chosen as a whole neighbourhood or ZIP code is its polygon plus this margin (a report on the
    # boundary street belongs to both sides).
    area_margin_m: float = Field(150.0, ge=0)
    outbox_retention_days: float = Field(7, gt=0)
    # Periodic duties (expiry, digests, reach lines on cards, card deletion, purges), first 5 s after start. 0 turns
    # them off: only for tests that run App.housekeeping() themselves at a fixed point of a scenario.
    housekeeping_interval_seconds: float = Field(60.0, ge=0)
    report_retention_days: float = Field(30, gt=0)

    # Reports and moderation (issue 4)
    moderator_language: Literal["es", "en"] | None = None
    reports_per_hour: int = Field(3, ge=1)
    report_cooldown_seconds: float = Field(120, ge=0)
    report_expiry_hours: float = Field(3, gt=0)
    # Issue 12: a photo sent during a report is kept as its Telegram file reference only (encrypted), shown to the
    # moderators above the card and dropped at their decision; the reporter is first asked to show no faces.
    # Off: photos get the "we don't keep photos" explanation, like videos and voice messages.
    report_photos: bool = True
    # Cards leave the moderators' group this long after the decision (a bot may delete its messages for 48 h).
    card_retention_hours: float = Field(24, gt=0, lt=47)
    # Moderator safeguards (issues 11 and 12).
    # "Publish unverified" alerts everyone on one person's word: by default it needs a second, different moderator.
    two_moderators_for_unverified: bool = True
    # Also require a second moderator for every Confirm. Off by default: in a raid minutes matter.
    two_moderators_for_confirm: bool = False
    # Reject and Block can be undone for this long; only then is the reporter told and the details erased.
    moderation_undo_seconds: float = Field(120, ge=0)
    # An account whose first day is at most this many days before its report counts as new (the file keeps the
    # day only, so 1 means "created today or yesterday"): its card says so, it is never counted as corroboration,
    # and its card waits behind established reporters' cards.
    new_account_days: int = Field(1, ge=0)
    # Undecided-report caps: beyond them a new account's card is held (shown when moderators catch up) and its
    # author gets a calm message. Established reporters' cards are never held.
    pending_cap_area: int = Field(8, ge=1)  # undecided reports within 1 km
    pending_cap_global: int = Field(40, ge=1)  # undecided reports overall

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            value = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        if isinstance(value, int):
            value = [value]
        try:
            return frozenset(qualify(v) for v in value)  # type: ignore[union-attr]
        except (TypeError, ValueError) as exc:
            raise ValueError("must be comma-separated ids: a number for Telegram (12345) or "
                             "telegram:12345 / signal:+13125550100 / signal:<uuid>") from exc

    @field_validator("neighbourhood_channels")
    @classmethod
    def _check_channels(cls, value: str) -> str:
        parse_channels(value)  # raises a ValueError naming the bad part
        return value

    @field_validator("moderator_chat_id", mode="before")
    @classmethod
    def _qualify_room(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return qualify(value)  # type: ignore[arg-type]

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (for example https://api.telegram.org/bot)")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        head, _, tail = token.partition(":")
        if not head.isdigit() or not tail:
            raise ValueError("does not look like a BotFather token ('123456:ABC-...'); copy it again from @BotFather")
        return SecretStr(token)

    @field_validator("secret_key")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters; generate one with: python -c "
                             "'import secrets; print(secrets.token_urlsafe(48))'")
        return value

    @field_validator("secret_key_file", "xdg_config_home", mode="before")
    @classmethod
    def _empty_path_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone name, e.g. America/Chicago") from exc
        return value

    @model_validator(mode="after")
    def _check_geocoder(self) -> Settings:
        if self.geocoder != "offline" and not self.geocoder_user_agent.strip():
            raise ValueError("GEOCODER_USER_AGENT must name your deployment and a contact when GEOCODER is "
                             f"{self.geocoder!r} (the service's usage policy requires it)")
        return self

    @property
    def data_dir(self) -> Path:
        return self.database_path.parent

    def key_file(self) -> Path:
        """The secret's file when SECRET_KEY is unset: SECRET_KEY_FILE, else the per-user config folder."""
        if self.secret_key_file is not None:
            return self.secret_key_file.expanduser()
        base = self.xdg_config_home.expanduser() if self.xdg_config_home else Path.home() / ".config"
        return base / "vecinos" / "secret.key"

    def resolved_secret(self) -> bytes:
        """The deployment secret, from SECRET_KEY or the key file (generated there once, loudly, when absent).

        Why not beside the database: whoever copies the data folder (a backup, a seized disk, a volume snapshot)
        must not get the key with it. A key an older version generated there is moved out, never written back.
        """
        legacy = self.data_dir / LEGACY_KEY_NAME
        if self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if legacy.exists():
                _retire_legacy_key(legacy, key, "SECRET_KEY")
            return key.encode()
        path = self.key_file()
        _refuse_key_inside(path, self.data_dir)
        if path.with_name(path.name + ".new").exists():
            raise ConfigError(f"{path}.new exists: a key rotation did not finish. If `python -m bot rotate-key` "
                              f"printed 'rotated', move {path}.new over {path}; otherwise delete {path}.new.")
        if path.exists():
            key = _read_key(path)
            if legacy.exists():
                _retire_legacy_key(legacy, key, str(path))
            return key.encode()
        if legacy.exists():
            key = _read_key(legacy)
            write_key_file(path, key)
            _shred(legacy)
            log.warning("MOVED the secret key out of the data folder: %s -> %s. Back up %s separately from the "
                        "data; a copy of the data folder alone no longer decrypts anything.", legacy, path, path)
            return key.encode()
        key = secrets.token_urlsafe(48)
        try:
            write_key_file(path, key)
        except OSError as exc:
            raise ConfigError(f"No secret key: {path} does not exist and cannot be created ({exc.strerror}). "
                              "Set SECRET_KEY, or create the file (at least 32 characters) with: python -c "
                              "'import secrets; print(secrets.token_urlsafe(48))' > secret.key") from None
        banner = "!" * 78
        log.warning("\n%s\nSECRET_KEY is not set: GENERATED A NEW SECRET KEY into %s\nBack it up now, apart from "
                    "the data folder: without it the database cannot be read.\nFor production set SECRET_KEY or "
                    "SECRET_KEY_FILE (see docs/threat-model.md).\n%s", banner, path, banner)
        return key.encode()


LEGACY_KEY_NAME = "secret.key"  # where versions before issue 11 kept the key: inside the data folder


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds a key shorter than 32 characters; put the deployment's key there.")
    return key


def _refuse_key_inside(path: Path, data_dir: Path) -> None:
    if path.resolve().is_relative_to(data_dir.resolve()):
        raise ConfigError(f"SECRET_KEY_FILE: {path} is inside the data folder {data_dir}; a copy of that folder "
                          "would carry the key. Keep the key somewhere else (e.g. ~/.config/vecinos/secret.key).")


def write_key_file(path: Path, key: str) -> None:
    """Create a key file readable by its owner only (0600 from the first byte, fsynced before use)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (key + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _shred(path: Path) -> None:
    """Overwrite then delete (best effort: a journaling or copy-on-write file system may keep old blocks)."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(os.urandom(max(size, 64)))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def _retire_legacy_key(legacy: Path, key: str, source: str) -> None:
    if _read_key(legacy) != key:
        raise ConfigError(f"{legacy} holds a different key than {source}. Find out which one encrypted the "
                          f"database, keep it apart from the data folder, and delete {legacy}.")
    _shred(legacy)
    log.warning("Deleted a copy of the secret key from the data folder (%s); the key now comes from %s.",
                legacy, source)


class ConfigError(SystemExit):
    """Raised for invalid settings; its text names each setting and the fix."""


def load_settings(**overrides: object) -> Settings:
    """Load settings or stop with a readable message naming each bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = ["Invalid settings:"]
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "?"
            lines.append(f"  {name}: {err['msg']} (set it in the environment or in .env)")
        raise ConfigError("\n".join(lines)) from None
