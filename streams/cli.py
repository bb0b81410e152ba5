"""The `dinarwatch` command line: one entry point for worker, generator, screening and admin."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from schemas.codec import dumps
from streams.cli_lists import lists_app
from streams.settings import Settings, get_settings

app = typer.Typer(
    name="dinarwatch",
    help="Screen Iraqi US-dollar payment flows against CBI bans and US sanctions.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
topics_app = typer.Typer(help="Create or check the pipeline's Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
app.add_typer(lists_app, name="lists")
err = Console(stderr=True)


class Format(StrEnum):
    json = "json"
    pacs008 = "pacs008"
    mt103 = "mt103"
    mixed = "mixed"


@app.command()
def worker(
    web_port: Annotated[int | None, typer.Option(help="Port for /metrics and /health")] = None,
    check: Annotated[bool, typer.Option(help="Check broker, topics and lists, then exit")] = False,
) -> None:
    """Run the Faust worker (ingest + screen agents) and serve /metrics."""
    from streams.worker import check_ready, run_worker

    settings = get_settings()
    if web_port is not None:
        settings = settings.model_copy(update={"web_port": web_port})
    if check:
        raise typer.Exit(0 if check_ready(settings, err) else 1)
    run_worker(settings)


@app.command()
def generate(
    count: Annotated[int, typer.Option(help="Records to generate")] = 1000,
    rate: Annotated[
        float, typer.Option(help="Records per second to a topic (0 = unthrottled)")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same records")] = 7,
    format: Annotated[Format, typer.Option("--format", help="Message format")] = Format.json,
    violation_rate: Annotated[
        float, typer.Option(help="Share of payments with a planted violation")
    ] = 0.05,
    malformed_rate: Annotated[float, typer.Option(help="Share of malformed records")] = 0.0,
    topic: Annotated[str | None, typer.Option(help="Publish to this topic")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write records to this file (JSONL; .gz ok)")
    ] = None,
    labels: Annotated[
        Path | None, typer.Option(help="Write ground-truth labels here (JSONL)")
    ] = None,
    start: Annotated[
        datetime | None, typer.Option(help="created_at of the first payment (UTC)")
    ] = None,
    spacing_ms: Annotated[int, typer.Option(help="Event-time gap between payments, ms")] = 500,
) -> None:
    """Synthetic Iraqi payment traffic with planted violations and ground-truth labels."""
    from streams.generate_cmd import run_generate

    if (topic is None) == (out is None):
        raise typer.BadParameter("give exactly one of --topic or --out")
    run_generate(
        get_settings(),
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
    )


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
    """Screen payments in order without Kafka; print one decision JSON per line."""
    from streams.context_loader import context_from_settings
    from streams.offline import Rejected, open_binary, read_records, screen_records

    settings = get_settings()
    ctx = context_from_settings(settings)
    stream = sys.stdin.buffer if source == "-" else open_binary(Path(source))
    records = read_records(stream, "stdin" if source == "-" else source)
    clock = None if event_time else datetime.now(UTC)
    out = sys.stdout.buffer
    rejected = 0
    with _optional(rejects) as rejects_file, _optional(alerts_out) as alerts_file:
        for result in screen_records(
            records, ctx, clock, settings.max_message_bytes, settings.xsd_dir
        ):
            if isinstance(result, Rejected):
                rejected += 1
                _report_rejection(result, rejects_file)
                continue
            out.write(dumps(result.decision) + b"\n")
            if alerts_file is not None:
                for alert in result.alerts:
                    alerts_file.write(dumps(alert) + b"\n")
    out.flush()
    if rejected:
        err.print(f"[yellow]{rejected} record(s) rejected[/yellow]")


from streams.replay.cli import replay  # noqa: E402

app.command("replay")(replay)


def _report_rejection(result: object, rejects_file: object) -> None:
    from streams.offline import Rejected

    assert isinstance(result, Rejected)
    rejection = result.rejection
    where = result.record.origin
    err.print(f"[red]rejected[/red] {where}: {rejection.reason}: {rejection.detail[:300]}")
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
            self.file = self.path.open("wb")
        return self.file

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()  # type: ignore[attr-defined]


@topics_app.command("create")
def topics_create(
    partitions: Annotated[int | None, typer.Option(help="Partitions per topic")] = None,
) -> None:
    """Create missing topics (idempotent); existing topics are left unchanged."""
    from streams.admin import create_topics

    for status in create_topics(get_settings(), partitions):
        verb = "created" if status.created else "exists "
        err.print(f"{verb} {status.name} ({status.partitions} partitions)")


@topics_app.command("check")
def topics_check() -> None:
    """Exit non-zero if a pipeline topic is missing."""
    from streams.admin import check_topics

    missing = 0
    for status in check_topics(get_settings()):
        err.print(
            f"{'ok     ' if status.exists else 'MISSING'} {status.name} {status.partitions or ''}"
        )
        missing += not status.exists
    raise typer.Exit(1 if missing else 0)


@app.command()
def demo(
    duration: Annotated[int, typer.Option(help="Seconds of generated traffic")] = 60,
    rate: Annotated[float, typer.Option(help="Payments per second")] = 200.0,
) -> None:
    """Local broker + topics + worker + generator, with a live terminal view of decisions."""
    from streams.demo import run_demo

    run_demo(get_settings(), duration=duration, rate=rate)


from alerts.notifier.cli import notifier  # noqa: E402

app.command("notifier")(notifier)


def main() -> None:  # pragma: no cover - console entry point
    app()


__all__ = ["Settings", "app"]
