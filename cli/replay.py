"""`dinarwatch replay`: the typer command. Registered in cli/app.py with
`app.command("replay")(replay)`.

Exit codes (docs/cli.md): 0 replay done (and, with --compare, no difference); 1 --compare found
differences; 2 bad arguments or an unreadable input, --compare or --report path; 3 an invalid
setting; 4/5 broker unreachable / topic missing (--topic); 6 no payment screened (empty input,
empty time range, every record rejected).
"""

from __future__ import annotations

import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from infra.errors import InputError, NothingScreenedError, loading
from infra.preflight import unwritable_folder

if TYPE_CHECKING:  # the rules and parsers load on first use: `dinarwatch --help` stays fast
    from infra.settings import Settings
    from offline.replay.runner import BacktestPlan, ReplayParams, ReplayResult
    from offline.replay.sources import ReplaySource
    from rules.context import ScreeningContext

err = Console(stderr=True)

EXIT_DIFFERENCES = 1
SORT_CHUNK = 200_000
"""Default of --sort-chunk (offline.replay.order.DEFAULT_CHUNK; a test keeps them equal)."""


def replay(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or directories: JSONL (.gz ok), ISO 20022 XML, SWIFT MT"),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            help="Replay this Kafka topic instead of files, e.g. payments.raw (the topic "
            "prefix is added unless the name carries it)"
        ),
    ] = None,
    from_: Annotated[
        datetime | None,
        typer.Option("--from", help="Topic range start (Kafka timestamp, UTC unless offset)"),
    ] = None,
    to: Annotated[datetime | None, typer.Option("--to", help="Topic range end, exclusive")] = None,
    bootstrap: Annotated[
        str | None, typer.Option(help="Kafka bootstrap servers (default: settings)")
    ] = None,
    as_of: Annotated[
        str,
        typer.Option(help="value-date (lists as of each payment's value date), now, or a date"),
    ] = "value-date",
    rule_pack: Annotated[
        list[Path] | None,
        typer.Option(
            help="Rule pack YAML to replay with (what-if); give it again to backtest and compare "
            "packs on the same payments (`default` is the built-in pack)"
        ),
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="Ground-truth labels JSONL (`generate --labels`): precision and recall per rule"
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write decisions/alerts JSONL, report.json and report.html here"),
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option(help="Alerts captured live (JSONL); exit 1 when the replay differs"),
    ] = None,
    sort_chunk: Annotated[
        int, typer.Option(help="Records sorted in memory before spilling to temp files")
    ] = SORT_CHUNK,
    progress: Annotated[bool, typer.Option(help="Show a progress bar")] = True,
) -> None:
    """Audit replay: screen past payments through the same rules, as of a date, with a report."""
    from infra.settings import bootstrap_addresses, get_settings, offline_settings
    from offline.replay.runner import run_replay

    settings = get_settings() if topic else offline_settings(_warn)
    if bootstrap:
        try:
            bootstrap_addresses(bootstrap)
        except ValueError as exc:
            raise typer.BadParameter(f"--bootstrap {exc}") from None
        settings = settings.model_copy(update={"kafka_bootstrap": bootstrap})
    if topic:
        # as `generate --topic`: payments.raw means <prefix>payments.raw; a full name stays
        from infra.topics import broker_name

        topic = broker_name(settings, topic)
    # Cheap checks first: a bad pack, labels or --compare file is reported before inputs are
    # hashed.
    packs = [_builtin_or_file(p) for p in rule_pack or []]
    own = packs[0] if packs else settings.rule_pack
    params = _params(as_of, own, settings, sort_chunk)
    ctx = _own_context(settings, packs)
    plan = _plan(packs, own, ctx, labels)
    _check_compare(compare)
    _check_report(report)
    source = _source(sources or [], topic, from_, to, settings)
    started = time.perf_counter()
    with _out_dir(report) as out_dir:
        hooks = RichProgress(err, enabled=progress and err.is_terminal)
        with hooks, _kafka_errors(settings, topic):
            result = run_replay(source, ctx, params, out_dir, hooks, compare, plan)
        _summary(result, time.perf_counter() - started, report)
        if result.report.get("backtest") is not None:
            from offline.replay.backtest_view import print_backtest

            print_backtest(err, result.report["backtest"])
    _nothing_screened(result, topic, from_, to)
    if result.comparison is not None and result.comparison.differs:
        raise typer.Exit(EXIT_DIFFERENCES)


BUILTIN = "default"
"""`--rule-pack default` names the built-in pack (unless a file of that name exists)."""


def _builtin_or_file(path: Path) -> Path | None:
    return None if str(path) == BUILTIN and not path.exists() else path


def _own_context(settings: Settings, packs: list[Path | None]) -> ScreeningContext:
    """The context of the first pack given (the configured pack when none is): its alerts are
    the replay's alerts.jsonl."""
    from screening.context_loader import load_screening_context

    if packs and packs[0] is None:  # `--rule-pack default`: the built-in pack, whatever is set
        return load_screening_context(settings.model_copy(update={"rule_pack": None}))
    return load_screening_context(settings, packs[0] if packs else None)


def _plan(
    packs: list[Path | None], own: Path | None, ctx: ScreeningContext, labels: Path | None
) -> BacktestPlan | None:
    """A backtest when labels are given or several packs: every further pack screened beside
    the first on the same lists, each named after its file."""
    from dataclasses import replace

    from lists.files import load_rule_pack
    from offline.replay.backtest import pack_names
    from offline.replay.labels import read_labels
    from offline.replay.runner import BacktestPlan, CandidatePack

    if labels is None and len(packs) < 2:
        return None
    names = pack_names(str(p) if p is not None else None for p in (packs or [own]))
    candidates = []
    for name, path in zip(names[1:], packs[1:], strict=True):
        what = f"rule pack {path}" if path is not None else "the built-in rule pack"
        with loading(what, InputError, "fix the file or give another"):
            pack = load_rule_pack(path)
        candidates.append(CandidatePack(name, replace(ctx, pack=pack), path))
    found = None
    if labels is not None:
        with loading(f"--labels {labels}", InputError, "give the file `generate --labels` wrote"):
            found = read_labels(labels)
    return BacktestPlan(names[0], tuple(candidates), found)


def _warn(line: str) -> None:
    err.print(f"warning: {line}", style="yellow", markup=False, highlight=False, soft_wrap=True)


def _kafka_errors(settings: object, topic: str | None) -> AbstractContextManager[None]:
    from infra.preflight import kafka_errors

    if topic is None:
        return nullcontext()
    return kafka_errors(settings, f"replaying {topic}")  # type: ignore[arg-type]


def _source(
    sources: list[Path],
    topic: str | None,
    start: datetime | None,
    end: datetime | None,
    settings: object,
) -> ReplaySource:
    from offline.replay.kafka_source import KafkaSource
    from offline.replay.sources import FILE_SUFFIXES, FileSource

    if bool(sources) == bool(topic):
        raise typer.BadParameter("give input files/directories or --topic, not both or neither")
    if topic is None:
        if start or end:
            raise typer.BadParameter("--from/--to select a topic range; use them with --topic")
        files = FileSource(sources)
        for folder, names in sorted(files.skipped.items()):
            shown = ", ".join(names[:5]) + (
                f", … ({len(names) - 5} more)" if len(names) > 5 else ""
            )
            _warn(
                f"{folder}: skipped {len(names)} file(s) that are not payment files "
                f"({', '.join(FILE_SUFFIXES)}): {shown}"
            )
        if not files.files:
            raise NothingScreenedError(
                f"no input file in {', '.join(str(p) for p in sources)} "
                f"(replay reads {', '.join(FILE_SUFFIXES)} files in folders)"
            )
        return files
    from infra.preflight import require_topics

    start, end = _utc(start), _utc(end)
    if start is not None and end is not None and start >= end:
        raise typer.BadParameter(f"--from {start.isoformat()} is not before --to {end.isoformat()}")
    require_topics(settings, [topic])  # type: ignore[arg-type]
    return KafkaSource(settings, topic, start, end)  # type: ignore[arg-type]


def _params(as_of: str, rule_pack: Path | None, settings: object, chunk: int) -> ReplayParams:
    from offline.replay.runner import ReplayParams, resolve_as_of

    try:
        resolved = resolve_as_of(as_of, datetime.now(UTC).date())
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return ReplayParams(
        as_of=resolved,
        as_of_requested=as_of,
        rule_pack=rule_pack,
        max_bytes=settings.max_message_bytes,  # type: ignore[attr-defined]
        xsd_dir=settings.xsd_dir,  # type: ignore[attr-defined]
        chunk_size=max(chunk, 1),
    )


def _check_compare(compare: Path | None) -> None:
    """Read the live alerts before a long replay, not after it: exit 2 if they are unusable."""
    from offline.replay.compare import read_alerts

    if compare is None:
        return
    if compare.is_dir():
        raise InputError(f"--compare {compare} is a folder: give the live alerts JSONL file")
    with loading(
        f"--compare {compare}",
        InputError,
        "give the live alerts as JSONL (one alert per line, or a topic dump with the alert "
        "under 'value')",
    ):
        read_alerts(compare)


def _check_report(report: Path | None) -> None:
    """--report must be a folder we can write (created if missing)."""
    if report is None:
        return
    if report.exists() and not report.is_dir():
        raise InputError(f"--report {report} is a file: give a folder (it is created if missing)")
    reason = unwritable_folder(report)
    if reason is not None:
        raise InputError(f"--report {report}: cannot write there ({reason})")


def _nothing_screened(
    result: ReplayResult, topic: str | None, start: datetime | None, end: datetime | None
) -> None:
    counts = result.report["counts"]
    if counts["payments"]:
        return
    records = result.order.records
    if records:
        raise NothingScreenedError(f"all {records:,} record(s) rejected: see rejects.jsonl")
    if topic is not None:
        raise NothingScreenedError(
            f"no record in topic {topic} between {start or 'its beginning'} and "
            f"{end or 'its end'} (Kafka timestamps): check --from/--to"
        )
    raise NothingScreenedError("the input files hold no record")


def _utc(moment: datetime | None) -> datetime | None:
    """typer parses --from/--to without a zone; they are UTC then."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class _out_dir:
    """The --report directory, or a temporary one removed afterwards (summary only)."""

    def __init__(self, report: Path | None) -> None:
        self.report = report
        self.tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> Path:
        if self.report is not None:
            return self.report
        self.tmp = tempfile.TemporaryDirectory(prefix="dinarwatch-replay-out-")
        return Path(self.tmp.name)

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()


# --- progress and summary ---------------------------------------------------------------------


class RecordsColumn(ProgressColumn):
    """Records so far (of the total once known): reading counts records, not raw bytes."""

    def render(self, task: Task) -> Text:
        records = int(task.fields.get("records", task.completed))
        total = task.fields.get("records_total")
        text = f"{records:,}/{total:,}" if total is not None else f"{records:,}"
        return Text(f"{text} {task.fields.get('noun', 'records')}", style="progress.download")


class RateColumn(ProgressColumn):
    """Records per second since the task started (rich's own speed column assumes bytes)."""

    def render(self, task: Task) -> Text:
        records = task.fields.get("records", task.completed)
        elapsed = task.finished_time if task.finished else task.elapsed
        rate = records / elapsed if elapsed else 0.0
        return Text(f"{rate:,.0f}/s", style="progress.data.speed")


class RichProgress:
    """ProgressHooks drawn with rich: reading (records; the bar follows the bytes of files),
    then screening (payments)."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.bar = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            TaskProgressColumn(),
            RecordsColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self.read_task: TaskID | None = None
        self.screen_task: TaskID | None = None
        self.records = 0

    def __enter__(self) -> RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def reading(self, total: int | None, unit: str) -> None:
        self.read_task = self.bar.add_task("reading", total=total, records=0)

    def read(self, n: int, records: int) -> None:
        if self.read_task is not None:
            self.records += records
            self.bar.update(self.read_task, advance=n, records=self.records)

    def screening(self, total_records: int) -> None:
        if self.read_task is not None:
            task = self.bar.tasks[self.read_task]
            self.bar.update(
                self.read_task, total=task.completed or 1, completed=task.completed or 1
            )
        self.screen_task = self.bar.add_task(
            "screening", total=total_records, records_total=total_records, noun="records"
        )

    def screened(self, n: int) -> None:
        if self.screen_task is not None:
            self.bar.advance(self.screen_task, n)


def _summary(result: ReplayResult, seconds: float, report: Path | None) -> None:
    counts = result.report["counts"]
    table = Table(title="dinarwatch replay", show_header=False)
    rate = counts["payments"] / seconds if seconds > 0 else 0.0
    table.add_row("as of", result.report["parameters"]["as_of"])
    table.add_row("payments", f"{counts['payments']:,} ({rate:,.0f}/s, {seconds:,.1f} s)")
    reasons = ", ".join(f"{k} {v:,}" for k, v in counts["rejected_by_reason"].items())
    table.add_row(
        "rejected",
        f"{counts['rejected']:,}" + (f" ({reasons})" if reasons else ""),
    )
    table.add_row("decisions", ", ".join(f"{k} {v:,}" for k, v in counts["decisions"].items()))
    table.add_row("alerts", f"{counts['alerts']:,} (retro {counts['retro_alerts']:,})")
    for rule, n in counts["alerts_by_rule"].items():
        table.add_row(f"  {rule}", f"{n:,}")
    comparison = result.comparison
    if comparison is not None:
        verdict = "no differences" if not comparison.differs else "DIFFERENCES"
        table.add_row(
            "compare",
            f"{verdict}: missing {comparison.count('missing')}, extra {comparison.count('extra')}"
            f", changed {comparison.count('changed')} (of {comparison.live} live alerts)",
        )
    table.add_row("report", str(report) if report else "(none: give --report DIR)")
    err.print(table)
    if comparison is not None:
        for diff in comparison.diffs[:20]:
            err.print(
                f"  {diff.kind} {diff.alert_id} {diff.rule} {diff.payment_id}: "
                f"{'; '.join(diff.reasons)}"
            )
