"""The replay run: order the input by event time, screen it with the offline path, write outputs.

The screening itself is offline.screen.screen_records, the code `dinarwatch screen` runs, with
the same pure rules and window transitions the worker runs: a replay differs from live only in
what it is told (the as-of date, the rule pack, the stamp), never in how it decides.

Determinism: decisions are stamped with the payment's created_at (value-date mode) or with the
as-of date at 00:00 UTC (retro mode), never with the wall clock; records are screened in
(created_at, payment_id) order; so the same input, lists and pack give byte-identical
decisions.jsonl, alerts.jsonl, rejects.jsonl and report.json.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import tee
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from offline.replay.backtest import Backtest
from offline.replay.compare import Comparison, compare_alerts, read_payment_ids
from offline.replay.html import write_html
from offline.replay.labels import LabelFile
from offline.replay.order import DEFAULT_CHUNK, OrderStats, event_time_order
from offline.replay.report import (
    REPORT_FORMAT,
    ReplayStats,
    lists_json,
    pack_json,
    write_json,
)
from offline.replay.software import software
from offline.replay.sources import ReplaySource, sha256_file
from offline.screen import Rejected, SourceRecord, screen_records
from rules.context import ScreeningContext
from schemas.codec import dumps
from screening.service import Screened

VALUE_DATE = "value-date"
OUTPUTS = ("decisions.jsonl", "alerts.jsonl", "rejects.jsonl")
PROGRESS_EVERY = 256


def resolve_as_of(text: str, today: date) -> date | None:
    """`value-date` -> None (each payment on its own value date); `now` -> today; else a date.

    `today` is passed in by the command line so that this module never reads a clock.
    """
    word = text.strip().lower()
    if word in (VALUE_DATE, "value_date", "valuedate"):
        return None
    if word in ("now", "today"):
        return today
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValueError(
            f"--as-of must be value-date, now or a date (YYYY-MM-DD), not {text!r}"
        ) from None


@dataclass(frozen=True)
class ReplayParams:
    """What the replay was asked to do; recorded in report.json as the run parameters."""

    as_of: date | None = None
    as_of_requested: str = VALUE_DATE
    rule_pack: Path | None = None
    max_bytes: int = 1_048_576
    xsd_dir: Path | None = None
    chunk_size: int = DEFAULT_CHUNK

    @property
    def stamp(self) -> datetime | None:
        """The evaluated_at of every decision in retro mode; None stamps with created_at."""
        return None if self.as_of is None else datetime.combine(self.as_of, time(0), UTC)

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else VALUE_DATE,
            "as_of_requested": self.as_of_requested,
            "evaluated_at": _iso(self.stamp) if self.stamp else "each payment's created_at",
            "rule_pack_file": str(self.rule_pack) if self.rule_pack else None,
            "order": "event time: created_at, then payment_id",
            "sort_chunk_records": self.chunk_size,
            "max_message_bytes": self.max_bytes,
        }


class ProgressHooks(Protocol):
    """How the runner reports progress (the CLI draws a rich progress bar from these)."""

    def reading(self, total: int | None, unit: str) -> None: ...

    def read(self, n: int, records: int) -> None:
        """`n` more units (bytes of a file, records of a topic), `records` more records."""

    def screening(self, total_records: int) -> None: ...

    def screened(self, n_records: int) -> None: ...


@dataclass(frozen=True)
class CandidatePack:
    """A further rule pack screened beside the run's own, for a backtest or a pack difference."""

    name: str
    ctx: ScreeningContext
    path: Path | None = None


@dataclass(frozen=True)
class BacktestPlan:
    """What to backtest: the run's own pack under `name`, the candidates, and the labels."""

    name: str = "default"
    candidates: tuple[CandidatePack, ...] = ()
    labels: LabelFile | None = None

    def alerts_files(self) -> list[str]:
        """Where each candidate's alerts go: alerts-<name>.jsonl, the name made safe for a file
        name ("a/cand" -> alerts-a_cand.jsonl); two names made the same get -2, -3."""
        files: list[str] = []
        for candidate in self.candidates:
            stem = f"alerts-{re.sub(r'[^A-Za-z0-9._-]+', '_', candidate.name)}"
            name, n = f"{stem}.jsonl", 1
            while name in files or name == "alerts.jsonl":
                n += 1
                name = f"{stem}-{n}.jsonl"
            files.append(name)
        return files


@dataclass
class ReplayResult:
    """What a run produced: the figures, the report document and where the files are."""

    stats: ReplayStats
    order: OrderStats
    report: dict[str, Any]
    out_dir: Path
    output_hashes: dict[str, str] = field(default_factory=dict)
    comparison: Comparison | None = None
    backtest: Backtest | None = None

    @property
    def alerts_path(self) -> Path:
        return self.out_dir / "alerts.jsonl"


def run_replay(
    source: ReplaySource,
    ctx: ScreeningContext,
    params: ReplayParams,
    out_dir: Path,
    progress: ProgressHooks | None = None,
    compare_with: Path | None = None,
    plan: BacktestPlan | None = None,
) -> ReplayResult:
    """Replay `source`; write decisions/alerts/rejects JSONL, report.json and report.html to
    `out_dir`, and compare.json when `compare_with` (live alerts JSONL) is given.

    With a `plan`, every candidate pack screens the same payments in the same pass (its alerts
    go to alerts-<name>.jsonl) and the backtest scores each pack against the labels."""
    out_dir.mkdir(parents=True, exist_ok=True)
    order = OrderStats()
    stats = ReplayStats()
    candidates = plan.candidates if plan is not None else ()
    backtest = _backtest(plan)
    if progress is not None:
        progress.reading(source.total_bytes, source.unit)
    records = source.records(progress.read if progress is not None else None)
    ordered = event_time_order(records, params.max_bytes, params.xsd_dir, params.chunk_size, order)
    outcomes = _screen_all(
        _announce(ordered, order, progress), [ctx, *(c.ctx for c in candidates)], params
    )
    done = 0
    extra = plan.alerts_files() if plan is not None else []
    with _Outputs(out_dir, extra) as outputs:
        for primary, *others in outcomes:
            stats.add(primary)
            outputs.write(primary)
            for name, other in zip(extra, others, strict=True):
                outputs.write_alerts(name, other)
            if backtest is not None and isinstance(primary, Screened):
                _score(backtest, primary, others)
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress.screened(PROGRESS_EVERY)
    if progress is not None:
        progress.screened(done % PROGRESS_EVERY)
    hashes = {name: sha256_file(out_dir / name) for name in (*OUTPUTS, *extra)}
    report = build_report(source, ctx, params, stats, order, hashes)
    if plan is not None and backtest is not None:
        report["backtest"] = backtest_json(plan, backtest, params.rule_pack, ctx)
    comparison = _compare(compare_with, out_dir, ctx) if compare_with is not None else None
    if comparison is not None:
        write_json(out_dir / "compare.json", comparison.as_json())
        report["compare"] = {k: v for k, v in comparison.as_json().items() if k != "differences"}
    write_json(out_dir / "report.json", report)
    page = {**report, "compare": comparison.as_json()} if comparison is not None else report
    write_html(out_dir / "report.html", page, out_dir)
    return ReplayResult(stats, order, report, out_dir, hashes, comparison, backtest)


def _backtest(plan: BacktestPlan | None) -> Backtest | None:
    if plan is None:
        return None
    names = [plan.name, *(c.name for c in plan.candidates)]
    return Backtest(names, plan.labels.labels if plan.labels is not None else None)


def _screen_all(
    records: Iterator[SourceRecord], contexts: list[ScreeningContext], params: ReplayParams
) -> Iterable[tuple[Screened | Rejected, ...]]:
    """Each record screened under every context, outcomes side by side.

    Decoding does not depend on the pack, so every context yields the same outcomes in the same
    order; the copies of the record stream advance together, so tee holds one record at a time.
    """
    copies = tee(records, len(contexts)) if len(contexts) > 1 else (records,)
    screened = [
        screen_records(copy, c.at(params.as_of), params.stamp, params.max_bytes, params.xsd_dir)
        for copy, c in zip(copies, contexts, strict=True)
    ]
    return zip(*screened, strict=True)


def _score(backtest: Backtest, primary: Screened, others: list[Screened | Rejected]) -> None:
    outcomes = [primary, *others]
    raised = {
        name: frozenset(a.rule for a in o.alerts)
        for name, o in zip(backtest.packs, outcomes, strict=True)
        if isinstance(o, Screened)
    }
    decisions = {
        name: o.decision.decision.value
        for name, o in zip(backtest.packs, outcomes, strict=True)
        if isinstance(o, Screened)
    }
    backtest.add(primary.payment.payment_id, raised, decisions)


def backtest_json(
    plan: BacktestPlan, backtest: Backtest, own_pack: Path | None, ctx: ScreeningContext
) -> dict[str, Any]:
    """report.json's "backtest": each pack's scores and identity, the differences, the labels."""
    doc = backtest.as_json()
    doc["packs"][plan.name].update(_pack_identity(own_pack, ctx, "alerts.jsonl"))
    for candidate, alerts_file in zip(plan.candidates, plan.alerts_files(), strict=True):
        identity = _pack_identity(candidate.path, candidate.ctx, alerts_file)
        doc["packs"][candidate.name].update(identity)
    doc["labels"] = plan.labels.describe() if plan.labels is not None else None
    return doc


def _pack_identity(path: Path | None, ctx: ScreeningContext, alerts_file: str) -> dict[str, str]:
    return {
        "file": str(path) if path is not None else "built-in rules/packs/iraq.yaml",
        "name": ctx.pack.name,
        "version": ctx.pack.version,
        "digest": ctx.pack.digest,
        "alerts_file": alerts_file,
    }


def _compare(live: Path, out_dir: Path, ctx: ScreeningContext) -> Comparison:
    payments = read_payment_ids(out_dir / "decisions.jsonl")
    return compare_alerts(live, out_dir / "alerts.jsonl", ctx.lists.versions(), payments)


def _announce(
    ordered: Iterator[SourceRecord], order: OrderStats, progress: ProgressHooks | None
) -> Iterator[SourceRecord]:
    """Pass records through; tell the progress bar the total once ordering has read them all."""
    announced = False
    for record in ordered:
        if not announced and progress is not None:
            progress.screening(order.records)
            announced = True
        yield record


def build_report(
    source: ReplaySource,
    ctx: ScreeningContext,
    params: ReplayParams,
    stats: ReplayStats,
    order: OrderStats,
    hashes: dict[str, str],
) -> dict[str, Any]:
    """report.json's document: input, lists, pack, parameters, figures and output hashes."""
    return {
        "format": REPORT_FORMAT,
        "parameters": params.as_json(),
        "input": source.describe(),
        "ordering": {
            "records": order.records,
            "out_of_order_records": order.out_of_order,
            "spilled_sort_runs": order.spilled_runs,
        },
        "rule_pack": pack_json(ctx, params.rule_pack),
        "lists": lists_json(ctx),
        "period": stats.period(),
        "counts": stats.counts(),
        "amounts": stats.amounts(),
        "outputs": {name: {"sha256": digest} for name, digest in sorted(hashes.items())},
        "software": software(),
    }


class _Outputs:
    """The three JSONL outputs (and each candidate pack's alerts), written in screening order."""

    def __init__(self, out_dir: Path, extra: list[str] | None = None) -> None:
        self.out_dir = out_dir
        self.names = [*OUTPUTS, *(extra or [])]
        self.files: dict[str, IO[bytes]] = {}

    def __enter__(self) -> _Outputs:
        self.files = {name: (self.out_dir / name).open("wb") for name in self.names}
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.files.values():
            handle.close()

    def write(self, outcome: Screened | Rejected) -> None:
        if isinstance(outcome, Rejected):
            self.files["rejects.jsonl"].write(_rejection_line(outcome))
            return
        self.files["decisions.jsonl"].write(dumps(outcome.decision) + b"\n")
        self.write_alerts("alerts.jsonl", outcome)

    def write_alerts(self, name: str, outcome: Screened | Rejected) -> None:
        if isinstance(outcome, Screened):
            for alert in outcome.alerts:
                self.files[name].write(dumps(alert) + b"\n")


def _rejection_line(outcome: Rejected) -> bytes:
    doc = {
        "origin": outcome.record.origin,
        "reason": outcome.rejection.reason,
        "detail": outcome.rejection.detail,
        "sha256": hashlib.sha256(outcome.record.raw).hexdigest(),
    }
    return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) + b"\n"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
