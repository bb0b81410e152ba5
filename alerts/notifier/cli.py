"""`dinarwatch notifier`: the typer command (registered in cli/app.py)."""

from __future__ import annotations

from typing import Annotated

import typer


def notifier(
    web_port: Annotated[
        int | None, typer.Option(help="Port for the notifier's /metrics", min=1, max=65535)
    ] = None,
) -> None:
    """Deliver alerts from the `alerts` topic to Alertmanager, a webhook and e-mail."""
    from pydantic import ValidationError

    from alerts.notifier.channels import channels_from_settings
    from alerts.notifier.runner import NO_CHANNEL, run_notifier
    from alerts.notifier.settings import NotifierSettings
    from infra.errors import ConfigError
    from infra.logs import configure_logging
    from infra.preflight import require_broker, require_port_free
    from infra.settings import describe_errors, get_settings

    settings = get_settings()
    try:
        notify = NotifierSettings()
    except ValidationError as exc:  # one line naming the variable, not a traceback
        raise ConfigError(describe_errors(exc, "DINARWATCH_NOTIFY_", quote=False)) from None
    if not channels_from_settings(notify):  # a configuration error whatever the broker says
        raise ConfigError(NO_CHANNEL)
    require_broker(settings)
    if web_port is not None:
        notify = notify.model_copy(update={"web_port": web_port})
    require_port_free(
        notify.web_bind,
        notify.web_port,
        "DINARWATCH_NOTIFY_WEB_PORT or --web-port",
        "DINARWATCH_NOTIFY_WEB_BIND",
    )
    configure_logging(settings.log_level, settings.log_json)
    run_notifier(settings, notify)
