"""The notifier's own settings (prefix DINARWATCH_NOTIFY_), apart from the worker's.

Kafka connection, topic prefix and security come from the worker's `infra.settings.Settings`
(prefix DINARWATCH_), so both processes always talk to the same broker and topics; everything
about channels, dedupe, grouping and retries lives here.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WebhookFormat = Literal["generic", "slack", "teams", "teams-adaptive"]


class NotifierSettings(BaseSettings):
    """Channels are enabled by configuring them: no URL / host means the channel is off."""

    model_config = SettingsConfigDict(
        env_prefix="DINARWATCH_NOTIFY_", env_file=".env", extra="ignore", frozen=True
    )

    group_id: str = Field(
        default="dinarwatch-notifier",
        description="Kafka consumer group; DINARWATCH_TOPIC_PREFIX goes in front",
    )
    web_port: int = Field(
        default=6067, ge=1, le=65535, description="Port of the notifier's /metrics"
    )
    web_bind: str = "127.0.0.1"

    alertmanager_url: str | None = Field(
        default=None, description="Alertmanager base URL, e.g. http://127.0.0.1:9093"
    )
    alertmanager_generator_url: str | None = Field(
        default=None, description="Link shown in Alertmanager (e.g. the Grafana ops dashboard)"
    )
    desk_url: str | None = Field(
        default=None,
        description="Case page of an alert on the compliance desk, a template with {alert_id} "
        "and/or {payment_id}; unset, notifications link the `dinarwatch replay` command",
    )
    webhook_url: str | None = None
    webhook_format: WebhookFormat = "generic"
    http_timeout_seconds: float = Field(default=10.0, gt=0)

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "dinarwatch@localhost"
    smtp_to: str = Field(default="", description="Comma-separated recipients")
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)

    group_window_seconds: float = Field(
        default=5.0, ge=0, description="Alerts arriving within this window share one message"
    )
    max_batch: int = Field(default=500, ge=1, description="Most alerts handled per batch")
    max_listed: int = Field(
        default=20,
        ge=1,
        description="Most alerts per webhook post; a larger group goes as several posts",
    )

    dedupe_ttl_seconds: float = Field(default=7 * 86400, gt=0)
    dedupe_max_entries: int = Field(default=200_000, ge=1)

    attempts: int = Field(default=4, ge=1, description="Delivery attempts before parking")
    backoff_base_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=15.0, ge=0)
    park_delay_seconds: float = Field(
        default=60.0, ge=0, description="First wait before a parked alert is retried"
    )
    park_max_delay_seconds: float = Field(
        default=240.0, ge=0, description="Cap of the doubling wait between parked retries"
    )

    @field_validator("alertmanager_url", "alertmanager_generator_url", "desk_url", "webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """A channel URL that cannot be posted to is refused at start, not when the first
        alert is due (the message never quotes it: webhook URLs carry tokens)."""
        if value is None:
            return None
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            raise ValueError("not a valid URL: give http(s)://host[:port]/path") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http:// or https:// URL with a host: give http(s)://host/path")
        return value.strip()

    def recipients(self) -> list[str]:
        return [addr.strip() for addr in self.smtp_to.split(",") if addr.strip()]
