"""Delivery channels: Alertmanager v2 API, a generic/Slack/Teams webhook, e-mail over SMTP.

A channel sends one group per call and raises on any failure (connection refused, timeout,
non-2xx answer, SMTP error); retrying and parking are the caller's business, so a channel is
one honest attempt and nothing else.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from typing import Any, Protocol

import aiohttp
import orjson

from alerts.notifier.formats import (
    SLACK_MAX_ALERTS,
    WEBHOOK_FORMATS,
    AlertGroup,
    Links,
    alertmanager_alerts,
    email_message,
)
from alerts.notifier.settings import NotifierSettings
from infra import topics as names


class DeliveryError(Exception):
    """A channel refused or failed to take a message."""


class Channel(Protocol):
    name: str
    max_per_message: int | None
    """Most alerts one message may carry: the notifier splits a larger group into parts
    (None: no limit, the whole group in one message)."""

    async def send(self, group: AlertGroup) -> None: ...

    async def close(self) -> None: ...


class _HttpChannel:
    """POSTs JSON; one aiohttp session per channel, opened lazily inside the event loop."""

    name = "http"
    max_per_message: int | None = None

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def _post(self, body: Any) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(
                self.url, data=orjson.dumps(body), headers={"Content-Type": "application/json"}
            ) as response:
                if response.status >= 300:
                    text = (await response.text())[:300]
                    raise DeliveryError(f"{self.url} answered {response.status}: {text}")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"{self.url}: {exc!r}") from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class AlertmanagerChannel(_HttpChannel):
    name = "alertmanager"

    def __init__(
        self, base_url: str, timeout: float, generator_url: str | None, links: Links
    ) -> None:
        super().__init__(base_url.rstrip("/") + "/api/v2/alerts", timeout)
        self.generator_url = generator_url
        self.links = links

    async def send(self, group: AlertGroup) -> None:
        await self._post(alertmanager_alerts(group, self.generator_url, self.links))


class WebhookChannel(_HttpChannel):
    name = "webhook"

    def __init__(self, url: str, fmt: str, timeout: float, max_listed: int, links: Links) -> None:
        super().__init__(url, timeout)
        self.render = WEBHOOK_FORMATS[fmt]
        # A chat message has a size limit: larger groups go as several posts, each itemising
        # every alert it carries.
        self.max_per_message = min(max_listed, SLACK_MAX_ALERTS) if fmt == "slack" else max_listed
        self.links = links

    async def send(self, group: AlertGroup) -> None:
        await self._post(self.render(group, self.links))


class EmailChannel:
    """smtplib in a worker thread: the standard library's client, with STARTTLS and login."""

    name = "email"
    max_per_message: int | None = None

    def __init__(self, settings: NotifierSettings, links: Links) -> None:
        assert settings.smtp_host is not None
        self.settings = settings
        self.host = settings.smtp_host
        self.recipients = settings.recipients()
        self.links = links
        if not self.recipients:
            raise ValueError("DINARWATCH_NOTIFY_SMTP_TO is empty")

    async def send(self, group: AlertGroup) -> None:
        message = email_message(group, self.settings.smtp_from, self.recipients, self.links)
        try:
            await asyncio.to_thread(self._send_sync, message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp {self.host}:{self.settings.smtp_port}: {exc!r}") from exc

    def _send_sync(self, message: Any) -> None:
        s = self.settings
        with smtplib.SMTP(self.host, s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username and s.smtp_password is not None:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(message)

    async def close(self) -> None:
        return None


def channels_from_settings(settings: NotifierSettings, raw_topic: str = names.RAW) -> list[Channel]:
    """The channels the settings configure, in a fixed order. `raw_topic` (with the
    deployment's prefix) goes into the replay command an alert links to."""
    links = Links(settings.desk_url, raw_topic)
    channels: list[Channel] = []
    timeout = settings.http_timeout_seconds
    if settings.alertmanager_url:
        channels.append(
            AlertmanagerChannel(
                settings.alertmanager_url, timeout, settings.alertmanager_generator_url, links
            )
        )
    if settings.webhook_url:
        channels.append(
            WebhookChannel(
                settings.webhook_url,
                settings.webhook_format,
                timeout,
                settings.max_listed,
                links,
            )
        )
    if settings.smtp_host:
        channels.append(EmailChannel(settings, links))
    return channels
