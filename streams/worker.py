"""Start the Faust worker, or check that everything it needs is ready."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import faust
from rich.console import Console

from infra import native
from infra.logs import configure_logging, plain_worker_output
from infra.memory import tame_malloc
from infra.settings import Settings
from infra.topics import TOPICS
from screening.context_loader import context_from_settings
from streams.app import create_app
from streams.faust_fixes import check_faust_version
from streams.runtime import WorkerRuntime

log = logging.getLogger("dinarwatch.worker")


def use_event_loop(name: str) -> None:
    """uvloop for the worker's loops (Faust's and its consumer thread's), when asked for."""
    if name == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def run_worker(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT; Faust drains in-flight events and commits on shutdown.

    Refuses to start (TopicMissingError, one line) while a pipeline topic is missing: the
    worker never lets the broker create one with its defaults (streams/faust_fixes.py, fix 4).
    """
    check_faust_version()  # first: one line on a faust-streaming the fixes were not written for
    from infra.errors import BrokerError
    from infra.preflight import require_data_dir, require_port_free, require_topics

    # Faust would log a 60-line traceback for a busy port or a data folder that is a file
    require_port_free(settings.web_bind, settings.web_port, "DINARWATCH_WEB_PORT or --web-port")
    require_data_dir(settings.data_dir)

    # A failed listing (kafka-python reports a SASL refusal as a timeout) is left to Faust,
    # which connects next and reports the broker's own reason.
    with contextlib.suppress(BrokerError):
        require_topics(settings, [settings.topic(spec.name) for spec in TOPICS])
    configure_logging(settings.log_level, settings.log_json)
    tame_malloc(settings.malloc_arena_max)  # before any thread starts
    # context_from_settings leaves the loaded lists out of the cyclic collector's sight
    runtime = WorkerRuntime(context_from_settings(settings))
    app = create_app(settings, runtime)
    log.info(
        "starting worker: broker=%s web=http://%s:%d/metrics lists=%s pack=%s core=%s",
        settings.kafka_bootstrap,
        settings.web_bind,
        settings.web_port,
        runtime.context.lists.versions(),
        runtime.context.pack.version,
        native.describe(),
    )
    for source in native.stale():
        log.warning("%s changed after the core was compiled: run `make install`", source)
    if settings.processing_guarantee == "exactly_once":
        log.warning(
            "processing_guarantee=exactly_once is not reliable with faust-streaming 0.15.3: "
            "duplicates and lost payments under crash and rebalance (docs/delivery.md); "
            "use at_least_once"
        )
    use_event_loop(settings.event_loop)
    # override_logging=False: keep our handlers (JSON option, account masking filter)
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        quiet=True,
        redirect_stdouts=False,
        override_logging=False,
    )
    plain_worker_output(worker)  # no cursor escape codes in a log file
    worker.execute_from_commandline()


def check_ready(settings: Settings, console: Console) -> bool:
    """Broker reachable, every topic present and configured as it needs (one line per
    difference), lists load: print each check, return all-ok."""
    from infra.admin import check_topics

    ok = True
    try:
        statuses = check_topics(settings)
        for status in statuses:
            for line in status.lines():
                style = "green" if status.ok else "red"
                console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
            ok &= status.ok
    except Exception as exc:
        console.print(f"[red]broker {settings.kafka_bootstrap} unreachable: {exc}[/red]")
        return False
    try:
        ctx = context_from_settings(settings)
        for name, version in ctx.lists.versions().items():
            console.print(f"list {name}: {len(ctx.lists.lists[name])} entries, version {version}")
        console.print(f"rule pack {ctx.pack.name} {ctx.pack.version}")
        console.print(f"screening core {native.describe()}")
    except Exception as exc:
        console.print(f"[red]lists failed to load: {exc}[/red]")
        return False
    return ok
