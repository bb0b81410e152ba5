"""`dinarwatch generate`: synthetic traffic to a topic or a file, labels to a separate file."""

from __future__ import annotations

import gzip
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, cast

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from generator.clock import BusinessClock
from generator.publish import make_producer, publish
from generator.renderers import formats_for, renderers
from generator.traffic import GeneratedRecord, TrafficSpec, generate
from infra.errors import ConfigError, InputError, loading
from infra.preflight import kafka_errors, require_topics
from infra.settings import Settings
from infra.topics import broker_name
from rules.lists.base import ListSet

FILE_START = datetime(2025, 3, 2, 5, 0, tzinfo=UTC)
"""Sunday 2 March 2025, 08:00 in Baghdad: a file's traffic spans the 2025-03-08 lapse of the
electricity waiver (5,000 payments reach 9 March) and every CBI ban batch is in force."""
FILE_SPACING_MS = 30_000
"""A file's payments are 30 s of Baghdad banking hours apart (840 a business day)."""
DEFAULT_SPACING_MS = 500


@dataclass(frozen=True)
class EventTimes:
    """When the generated payments happen: created_at of the first and the gap between two."""

    start: datetime
    spacing: timedelta
    business_hours: bool = False
    """created_at advances through Baghdad banking hours only (files; generator.clock)."""

    def last(self, count: int) -> datetime:
        """created_at of the last of `count` payments."""
        elapsed = self.spacing * max(count - 1, 0)
        if self.business_hours:
            return BusinessClock(self.start).at(elapsed)
        return self.start + elapsed


def event_times(
    *,
    count: int,
    rate: float,
    to_topic: bool,
    start: datetime | None,
    spacing_ms: int | None,
    now: datetime,
) -> EventTimes:
    """created_at of the first payment and the gap, so that a topic never receives the future.

    - a file: a fixed start (a seed fully determines the file), 30 s of Baghdad banking hours
      apart (Sunday to Thursday, 08:00-15:00 Asia/Baghdad), so a file spans days and weeks;
    - a topic with --rate: the first payment now, the gap 1/rate, so event time follows the
      wall clock as the records go out;
    - a topic without --rate (a backlog sent at once): 500 ms apart, ending now.
    An explicit --start is kept (tz-naive means UTC).
    """
    if spacing_ms is None:
        if not to_topic:
            spacing = timedelta(milliseconds=FILE_SPACING_MS)
        elif rate > 0:
            spacing = timedelta(seconds=1 / rate)
        else:
            spacing = timedelta(milliseconds=DEFAULT_SPACING_MS)
    else:
        spacing = timedelta(milliseconds=spacing_ms)
    if start is not None:
        return EventTimes(
            start if start.tzinfo else start.replace(tzinfo=UTC), spacing, not to_topic
        )
    if not to_topic:
        return EventTimes(FILE_START, spacing, True)
    now = now.replace(microsecond=0)
    if rate > 0:
        return EventTimes(now, spacing)
    return EventTimes(now - spacing * max(count - 1, 0), spacing)


@dataclass
class Tally:
    """What was generated, for the summary line: expected decisions, malformed records."""

    decisions: Counter[str] = field(default_factory=Counter)
    malformed: int = 0

    def add(self, record: GeneratedRecord) -> None:
        if record.label.get("malformed"):
            self.malformed += 1
        else:
            self.decisions[str(record.label.get("expected_decision"))] += 1

    @property
    def total(self) -> int:
        return sum(self.decisions.values()) + self.malformed

    def line(self, where: str, times: EventTimes, count: int, seconds: float) -> str:
        by_decision = ", ".join(f"{k} {v:,}" for k, v in sorted(self.decisions.items()))
        last = times.last(count)
        rate = self.total / seconds if seconds > 0 else 0.0
        return (
            f"generated {self.total:,} record(s) to {where}: expected {by_decision or 'none'}; "
            f"malformed {self.malformed:,}; created_at {_iso(times.start)} .. {_iso(last)}; "
            f"{seconds:,.1f} s ({rate:,.0f}/s)"
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


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
    spacing_ms: int | None,
    console: Console,
    evasion_rate: float = 0.0,
) -> Tally:
    """Generate; files default to a fixed start time so that a seed fully determines them.

    A topic is checked first (broker reachable, topic present: we never rely on auto-creation);
    the command ends with a one-line summary on `console`. Violations are planted from the lists
    the settings load (the built-in lists, plus DINARWATCH_OFAC_DIR and DINARWATCH_UN_XML when
    set), the same lists a worker or `screen` with these settings screens with.
    """
    times = event_times(
        count=count,
        rate=rate,
        to_topic=topic is not None,
        start=start,
        spacing_ms=spacing_ms,
        now=datetime.now(UTC),
    )
    if topic is not None:
        topic = broker_name(settings, topic)  # payments.raw -> <prefix>payments.raw
        _warn_future(settings, times, count, console)
        require_topics(settings, [topic])
    spec = TrafficSpec(
        count=count,
        seed=seed,
        start=times.start,
        spacing=times.spacing,
        violation_rate=violation_rate,
        malformed_rate=malformed_rate,
        formats=formats_for(fmt),
        max_bytes=settings.max_message_bytes,
        renderers=renderers(),
        lists=plant_lists(settings),
        business_hours=times.business_hours,
        evasion_rate=evasion_rate,
    )
    tally = Tally()
    started = time.perf_counter()
    with ExitStack() as stack:
        # Files first: an unwritable --out or --labels is one error line, not a progress bar
        # at 0 followed by the error.
        sink = stack.enter_context(_open_out(out)) if out is not None else None
        label_file = stack.enter_context(_open_for_writing(labels)) if labels else None
        progress, task = stack.enter_context(_progress(console, count))

        def on_sent(record: GeneratedRecord) -> None:
            if label_file is not None:
                label_file.write(orjson.dumps(record.label, option=orjson.OPT_SORT_KEYS) + b"\n")
            tally.add(record)
            progress.advance(task)

        if sink is not None:
            for record in generate(spec):
                sink.write(_file_line(record))
                on_sent(record)
        else:
            assert topic is not None
            with kafka_errors(settings, f"publishing to {topic}"):
                producer = make_producer(settings)
                stack.callback(producer.close)
                publish(generate(spec), producer, topic, rate, on_sent)
    where = f"topic {topic}" if topic is not None else str(out)
    console.print(
        tally.line(where, times, count, time.perf_counter() - started),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return tally


def plant_lists(settings: Settings) -> ListSet:
    """The lists violations are planted from: those the settings make a worker screen with."""
    from lists.files import load_lists

    named = []
    for setting, path in (("OFAC_DIR", settings.ofac_dir), ("UN_XML", settings.un_xml)):
        if path is not None:
            if not path.exists():
                raise ConfigError(f"DINARWATCH_{setting}={path}: no such file or folder")
            named.append(f"DINARWATCH_{setting}={path}")
    with loading(", ".join(named) or "built-in lists", ConfigError, "fix the files or unset them"):
        return load_lists(settings.ofac_dir, settings.un_xml)


def _warn_future(settings: Settings, times: EventTimes, count: int, console: Console) -> None:
    """An explicit --start or --spacing-ms can still put payments in the future: say so."""
    last = times.last(count)
    ahead = last - datetime.now(UTC)
    if ahead > timedelta(seconds=settings.max_future_skew_seconds):
        console.print(
            f"warning: the last payment's created_at {_iso(last)} is {ahead} ahead of now; "
            f"the worker dead-letters payments more than "
            f"{settings.max_future_skew_seconds} s ahead as future-timestamp",
            style="yellow",
            markup=False,
            highlight=False,
        )


def _open_for_writing(path: Path) -> IO[bytes]:
    try:
        return path.open("wb")
    except OSError as exc:
        raise InputError(
            f"cannot write {path}: {(exc.strerror or type(exc).__name__).lower()}: "
            "give a file path in an existing folder you can write to"
        ) from None


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
        _open_for_writing(path).close()  # a one-line error for an unwritable path
        return cast(IO[bytes], gzip.open(path, "wb"))
    return _open_for_writing(path)


class _progress:
    def __init__(self, console: Console, total: int) -> None:
        self.progress = Progress(
            TextColumn("generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.total = total

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.progress.start()
        return self.progress, self.progress.add_task("generate", total=self.total)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()
