"""`dinarwatch generate`: synthetic traffic to a topic or a file, labels to a separate file."""

from __future__ import annotations

import gzip
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, cast

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from streams.producer import make_producer, publish
from streams.settings import Settings
from streams.synthetic.generator import GeneratedRecord, TrafficSpec, generate
from streams.synthetic.renderers import formats_for, renderers

FILE_START = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)


def run_generate(
    settings: Settings,
    *,
    count: int,
    rate: float,
    seed: int,
    fmt: str,
    violation_rate: float,
    malformed_rate: float,
    topic: str | None,
    out: Path | None,
    labels: Path | None,
    start: datetime | None,
    spacing_ms: int,
    console: Console,
) -> None:
    """Generate; files default to a fixed start time so that a seed fully determines them."""
    if start is None:
        start = FILE_START if out is not None else datetime.now(UTC).replace(microsecond=0)
    elif start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    spec = TrafficSpec(
        count=count,
        seed=seed,
        start=start,
        spacing=timedelta(milliseconds=spacing_ms),
        violation_rate=violation_rate,
        malformed_rate=malformed_rate,
        formats=formats_for(fmt),
        max_bytes=settings.max_message_bytes,
        renderers=renderers(),
    )
    with ExitStack() as stack, _progress(console, count) as (progress, task):
        label_file = stack.enter_context(labels.open("wb")) if labels else None

        def on_sent(record: GeneratedRecord) -> None:
            if label_file is not None:
                label_file.write(orjson.dumps(record.label, option=orjson.OPT_SORT_KEYS) + b"\n")
            progress.advance(task)

        if out is not None:
            sink = stack.enter_context(_open_out(out))
            for record in generate(spec):
                sink.write(_file_line(record))
                on_sent(record)
            return
        assert topic is not None
        producer = make_producer(settings)
        stack.callback(producer.close)
        publish(generate(spec), producer, topic, rate, on_sent)


def _file_line(record: GeneratedRecord) -> bytes:
    """JSON payments are lines as they are; XML/MT messages are wrapped so one file holds many."""
    if record.content_type == "application/json":
        return record.value.replace(b"\n", b" ") + b"\n"
    return (
        orjson.dumps(
            {
                "content_type": record.content_type,
                "message": record.value.decode("utf-8", "replace"),
            }
        )
        + b"\n"
    )


def _open_out(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "wb"))
    return path.open("wb")


class _progress:
    def __init__(self, console: Console, total: int) -> None:
        self.progress = Progress(
            TextColumn("generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self.total = total

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.progress.start()
        return self.progress, self.progress.add_task("generate", total=self.total)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
