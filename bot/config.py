"""Settings, read once at start from the environment and ``.env`` (pydantic-settings).

Why one place: configuration errors must stop the bot at start with a message that names the setting and
how to fix it, and nothing else in the code reads ``os.environ``.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    """Every setting of a deployment. Names are the environment variables (upper case)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("./data/vecinos.db")
    moderator_chat_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_language: Literal["es", "en"] = "es"
    secret_key: SecretStr | None = None

    conversation_timeout_minutes: float = Field(30, gt=0)
    rate_limit_per_second: float = Field(30, ge=0, description="Bot API calls/s overall; 0 disables")
    log_level: str = "INFO"

    hotline_name: str = "ICIRR Family Support Network"
    hotline_phone: str = "1-855-435-7693"
    timezone: str = "America/Chicago"
    faq_path: Path | None = None  # folder of FAQ TOML files; default: the packaged i18n/faq

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

    # Alerts (issue 5)
    alerts_per_hour: int = Field(4, ge=1)
    alert_expiry_hours: float = Field(6, gt=0)
    distance_unit: Literal["mi", "km"] = "mi"
    outbox_retention_days: float = Field(7, gt=0)
    report_retention_days: float = Field(30, gt=0)

    # Reports and moderation (issue 4)
    moderator_messenger: str = "telegram"
    moderator_language: Literal["es", "en"] | None = None
    reports_per_hour: int = Field(3, ge=1)
    report_cooldown_seconds: float = Field(120, ge=0)
    report_expiry_hours: float = Field(3, gt=0)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("must be comma-separated numeric Telegram user ids, e.g. 12345,67890") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

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

    def resolved_secret(self) -> bytes:
        """The deployment secret; generated into the data folder on first run when unset (with a warning)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if path.exists():
            return path.read_text().strip().encode()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key + "\n")
        log.warning("SECRET_KEY is not set: generated one into %s. Back it up: without it the "
                    "database cannot be read.", path)
        return key.encode()


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
