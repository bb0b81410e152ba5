"""`dinarwatch notifier`: the typer command (registered in streams/cli.py)."""

from __future__ import annotations

from typing import Annotated

import typer


def notifier(
    web_port: Annotated[int | None, typer.Option(help="Port for the notifier's /metrics")] = None,
) -> None:
    """Deliver alerts from the `alerts` topic to Alertmanager, a webhook and e-mail."""
    from alerts.notifier.runner import run_notifier
    from alerts.notifier.settings import NotifierSettings
    from streams.logs import configure_logging
    from streams.settings import get_settings

    settings = get_settings()
    notify = NotifierSettings()
    if web_port is not None:
        notify = notify.model_copy(update={"web_port": web_port})
    configure_logging(settings.log_level, settings.log_json)
    run_notifier(settings, notify)
