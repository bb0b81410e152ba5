"""The `dinarwatch` command line: one entry point for worker, generator, screening and admin."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
import typer.core
from rich.console import Console
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from cli.lists import lists_app
from desk.cli import desk_app
from infra.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    ConfigError,
    NothingScreenedError,
    UserError,
    debug_requested,
    one_line,
)
from infra.settings import Settings, get_settings, offline_settings
from schemas.codec import dumps

err = Console(stderr=True)


class DinarwatchGroup(typer.core.TyperGroup):
    """The root command: the one place where errors become one line and an exit code.

    A UserError prints its message; anything else is a bug and prints its type and message with
    a pointer to --debug. With --debug (or DINARWATCH_LOG_LEVEL=DEBUG) the exception propagates
    and typer prints the full traceback. typer's own exceptions (usage errors, --help, Exit)
    pass through untouched.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise  # `dinarwatch topics` alone: typer prints the help
        except UsageError as exc:
            # A bad option value or a missing argument: one line too, not typer's boxed panel.
            _traceback_if_debug(ctx)
            err.print(_usage_line(exc), style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_USAGE) from None
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # typer's own: --help, explicit exit codes
        except BrokenPipeError:
            # The reader went away (`dinarwatch screen F | head`): stop quietly, as `cat` does.
            _silence_stdout()
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except KeyboardInterrupt:
            _traceback_if_debug(ctx)
            err.print("interrupted", style="yellow")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except UserError as exc:
            _traceback_if_debug(ctx)
            err.print(exc.line(), style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            _traceback_if_debug(ctx)
            known = _known_error(exc)
            if known is not None:
                err.print(known.line(), style="red", markup=False, highlight=False, soft_wrap=True)
                raise typer.Exit(known.exit_code) from None
            err.print(
                f"unexpected error: {one_line(exc)} (run with --debug for the traceback)",
                style="red",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


def _usage_line(exc: UsageError) -> str:
    """`error: <what is wrong>: see `dinarwatch CMD --help`` on one line."""
    message = " ".join(exc.format_message().split()).rstrip(".")
    command = exc.ctx.command_path if exc.ctx is not None else "dinarwatch"
    return f"error: {message}: see `{command} --help`"


def _known_error(exc: Exception) -> UserError | None:
    """Errors of modules that do not raise UserError themselves but already say, in their
    message, which file or setting is wrong: the configured lists and the Kafka security files
    (the worker loads both at start)."""
    from infra.kafka_clients import KafkaSecurityError

    if isinstance(exc, KafkaSecurityError):
        return ConfigError(f"{exc}: fix the setting or the file")
    if type(exc).__name__ == "ListFileError":  # lists.files: a configured list file
        return ConfigError(str(exc))
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _traceback_if_debug(ctx: Any) -> None:
    """With --debug, the traceback goes to stderr first; the one line and the documented exit
    code follow as without it, so scripts see the same codes either way."""
    if _debug(ctx):
        traceback.print_exc()


def _debug(ctx: Any) -> bool:
    return debug_requested(bool((ctx.obj or {}).get("debug")))


def _flags_show_no_type() -> None:
    """A flag takes no value, so `--help` should not print `<bool>` beside it (typer 0.29
    prints the type of every option, flags and --help included)."""
    original = typer.core.TyperOption.display_type_rich

    def display_type_rich(self: typer.core.TyperOption, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        return original(self, ctx)

    typer.core.TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_show_no_type()

app = typer.Typer(
    name="dinarwatch",
    help="Screen Iraqi US-dollar payment flows against CBI bans and US sanctions.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    cls=DinarwatchGroup,
    epilog="Errors print one line and exit with a documented code (docs/cli.md); "
    "--debug shows the traceback.",
)
topics_app = typer.Typer(help="Create or check the pipeline's Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(lists_app, name="lists")
app.add_typer(desk_app, name="desk")


@app.callback()
def _root(
    ctx: typer.Context,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error")
    ] = False,
) -> None:
    """Screen Iraqi US-dollar payment flows against CBI bans and US sanctions.

    Errors print one line and exit with a documented code (docs/cli.md).
    """
    ctx.obj = {"debug": debug}


class Format(StrEnum):
    json = "json"
    pacs008 = "pacs008"
    mt103 = "mt103"
    mixed = "mixed"


@app.command()
def worker(
    web_port: Annotated[
        int | None, typer.Option(help="Port for /metrics and /health", min=1, max=65535)
    ] = None,
    check: Annotated[bool, typer.Option(help="Check broker, topics and lists, then exit")] = False,
) -> None:
    """Run the Faust worker (ingest + screen agents) and serve /metrics."""
    from infra.preflight import require_broker, require_login
    from streams.faust_fixes import check_faust_version
    from streams.worker import check_ready, run_worker

    check_faust_version()  # before anything that depends on the patched faust, the broker too
    settings = get_settings()
    if web_port is not None:
        settings = settings.model_copy(update={"web_port": web_port})
    # One line now rather than a retry log line per second: the broker must answer first.
    require_broker(settings)
    require_login(settings)  # the broker's reason for a refused login, in one line
    if check:
        raise typer.Exit(0 if check_ready(settings, err) else 1)
    run_worker(settings)


@app.command()
def generate(
    count: Annotated[int, typer.Option(help="Records to generate", min=0)] = 1000,
    rate: Annotated[
        float, typer.Option(help="Records per second to a topic (0 = unthrottled)", min=0)
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same records")] = 7,
    format: Annotated[Format, typer.Option("--format", help="Message format")] = Format.json,
    violation_rate: Annotated[
        float, typer.Option(help="Share of payments with a planted violation", min=0, max=1)
    ] = 0.05,
    malformed_rate: Annotated[
        float, typer.Option(help="Share of malformed records", min=0, max=1)
    ] = 0.0,
    evasion_rate: Annotated[
        float,
        typer.Option(
            help="Share of planted names written the way evaders disguise them", min=0, max=1
        ),
    ] = 0.0,
    topic: Annotated[
        str | None,
        typer.Option(help="Publish to this topic, e.g. payments.raw (the topic prefix is added)"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write records to this file (JSONL; .gz ok)")
    ] = None,
    labels: Annotated[
        Path | None, typer.Option(help="Write ground-truth labels here (JSONL)")
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            help="created_at of the first payment (UTC; default: files 2025-03-02T05:00, "
            "topics so that the last payment is now, or now with --rate)"
        ),
    ] = None,
    spacing_ms: Annotated[
        int | None,
        typer.Option(
            help="Event-time gap between payments, ms (default: files 30,000 of Baghdad "
            "banking hours; topics 500, or 1/rate)",
            min=0,
        ),
    ] = None,
) -> None:
    """Synthetic Iraqi payment traffic with planted violations and ground-truth labels."""
    from cli.generate import run_generate

    if (topic is None) == (out is None):
        raise typer.BadParameter("give exactly one of --topic or --out")
    settings = get_settings() if topic is not None else offline_settings(_warn)
    run_generate(
        settings,
        count=count,
        rate=rate,
        seed=seed,
        fmt=format.value,
        violation_rate=violation_rate,
        malformed_rate=malformed_rate,
        topic=topic,
        out=out,
        labels=labels,
        start=start,
        spacing_ms=spacing_ms,
        console=err,
        evasion_rate=evasion_rate,
    )


def _warn(line: str) -> None:
    err.print(f"warning: {line}", style="yellow", markup=False, highlight=False, soft_wrap=True)


@app.command()
def screen(
    source: Annotated[str, typer.Argument(help="JSONL/XML/MT file (.gz ok), or - for stdin")] = "-",
    rejects: Annotated[
        Path | None, typer.Option(help="Write rejected records here (JSONL)")
    ] = None,
    alerts_out: Annotated[
        Path | None, typer.Option("--alerts", help="Also write alerts here")
    ] = None,
    event_time: Annotated[
        bool,
        typer.Option(help="Stamp decisions with the payment's created_at (byte-stable output)"),
    ] = False,
) -> None:
    """Screen payments in order without Kafka; print one decision JSON per line.

    Ends with a summary line on stderr; exit 6 when no payment was screened (empty input, or
    every record rejected).
    """
    from offline.screen import Rejected, open_binary, read_records, screen_records
    from screening.context_loader import load_screening_context

    started = time.perf_counter()
    settings = offline_settings(_warn)
    ctx = load_screening_context(settings)
    name = "stdin" if source == "-" else source
    stream = sys.stdin.buffer if source == "-" else open_binary(Path(source))
    records = read_records(stream, name)
    clock = None if event_time else datetime.now(UTC)
    out = sys.stdout.buffer
    decisions: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    alerts = 0
    with _optional(rejects) as rejects_file, _optional(alerts_out) as alerts_file:
        for result in screen_records(
            records, ctx, clock, settings.max_message_bytes, settings.xsd_dir
        ):
            if isinstance(result, Rejected):
                rejected[result.rejection.reason] += 1
                _report_rejection(result, rejects_file)
                continue
            decisions[str(result.decision.decision)] += 1
            alerts += len(result.alerts)
            out.write(dumps(result.decision) + b"\n")
            if alerts_file is not None:
                for alert in result.alerts:
                    alerts_file.write(dumps(alert) + b"\n")
    out.flush()
    seconds = time.perf_counter() - started
    err.print(
        screen_summary(name, decisions, rejected, alerts, seconds),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if not decisions:
        total = sum(rejected.values())
        raise NothingScreenedError(
            f"{name}: no payment screened"
            + (
                f", all {total:,} record(s) rejected (see above)"
                if total
                else ": the input is empty"
            )
        )


def screen_summary(
    name: str, decisions: Counter[str], rejected: Counter[str], alerts: int, seconds: float
) -> str:
    """One line: payments by decision, alerts, rejected records by reason, time."""
    payments = sum(decisions.values())
    by_decision = ", ".join(f"{k} {v:,}" for k, v in sorted(decisions.items())) or "none"
    reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(rejected.items()))
    total_rejected = sum(rejected.values())
    return (
        f"screened {payments:,} payment(s) from {name} ({by_decision}); alerts {alerts:,}; "
        f"rejected {total_rejected:,}"
        + (f" ({reasons})" if reasons else "")
        + f"; {seconds:,.1f} s"
    )


from cli.replay import replay  # noqa: E402

app.command("replay")(replay)


def _report_rejection(result: object, rejects_file: object) -> None:
    from offline.screen import Rejected

    assert isinstance(result, Rejected)
    rejection = result.rejection
    where = result.record.origin
    err.print(
        f"rejected {where}: {rejection.reason}: {rejection.detail[:300]}",
        style="red",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if rejects_file is not None:
        doc = {
            "origin": result.record.origin,
            "reason": result.rejection.reason,
            "detail": result.rejection.detail,
            "raw": result.record.raw.decode("utf-8", "replace"),
        }
        rejects_file.write(orjson.dumps(doc) + b"\n")  # type: ignore[attr-defined]


class _optional:
    """Open a path for binary writing if given (a context manager yielding the file or None)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.file: object = None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.path is not None:
            from infra.errors import InputError

            try:
                self.file = self.path.open("wb")
            except OSError as exc:
                raise InputError(
                    f"cannot write {self.path}: {(exc.strerror or type(exc).__name__).lower()}: "
                    "give a file path in an existing folder you can write to"
                ) from None
        return self.file

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()  # type: ignore[attr-defined]


@topics_app.command("create")
def topics_create(
    partitions: Annotated[int | None, typer.Option(help="Partitions per topic", min=1)] = None,
) -> None:
    """Create missing topics (idempotent); existing topics are left unchanged."""
    from infra.admin import create_topics
    from infra.preflight import kafka_errors, require_broker

    settings = get_settings()
    require_broker(settings)
    with kafka_errors(settings, "creating topics"):
        statuses = create_topics(settings, partitions)
    for status in statuses:
        verb = "created" if status.created else "exists "
        err.print(f"{verb} {status.name} ({status.partitions} partitions)")


@topics_app.command("check")
def topics_check() -> None:
    """Exit 1 if a pipeline topic is missing or differs from what it needs (compaction,
    record size, partitions, replication; one line per difference), 4 if the broker cannot
    be reached."""
    from infra.admin import check_topics
    from infra.preflight import kafka_errors, require_broker

    settings = get_settings()
    require_broker(settings)
    with kafka_errors(settings, "checking topics"):
        statuses = check_topics(settings)
    failed = 0
    for status in statuses:
        for line in status.lines():
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        failed += not status.ok
    raise typer.Exit(1 if failed else 0)


@app.command()
def demo(
    duration: Annotated[int, typer.Option(help="Seconds of generated traffic", min=1)] = 60,
    rate: Annotated[float, typer.Option(help="Payments per second", min=0.1)] = 200.0,
) -> None:
    """Local broker + topics + worker + generator, with a live terminal view of decisions."""
    from cli.demo import run_demo

    run_demo(get_settings(), duration=duration, rate=rate)


from alerts.notifier.cli import notifier  # noqa: E402

app.command("notifier")(notifier)


def main() -> None:  # pragma: no cover - console entry point
    app()


__all__ = ["Settings", "app"]
