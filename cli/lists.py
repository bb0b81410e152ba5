"""`dinarwatch lists show|diff|load|publish`: inspect reference lists and send them to workers.

A list can be named three ways on the command line: a path to a file the loaders know (the CBI
YAML format, a built-in list YAML, the UN XML), a folder of OFAC CSV files, or the name of a
list the current settings load (built-ins plus DINARWATCH_OFAC_DIR / DINARWATCH_UN_XML). A rule
pack YAML is recognised by its `rules:` mapping (lists/load.py loads and checks; lists/publish.py
sends). Output is plain text (one item per line), so that it can be piped and diffed; errors go
to stderr and give a non-zero exit.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from infra.errors import ConfigError, InputError
from infra.settings import Settings, get_settings
from lists.load import (
    Item,
    Loaded,
    PackSource,
    load_path,
    problems,
    references,
    resolve,
    settings_lists,
    settings_pack,
)
from lists.publish import oversized, record_for, send_records
from lists.wire import MAX_RECORD_BYTES
from rules.lists.base import ReferenceList
from rules.lists.delta import diff_lists
from schemas.listentry import ListEntry

lists_app = typer.Typer(
    help="Load, inspect, diff and publish reference lists (and rule packs).",
    no_args_is_help=True,
)

Published = Annotated[
    str | None,
    typer.Option(help="Publication day (YYYY-MM-DD) for OFAC CSV folders, which do not carry it"),
]


# --- output -----------------------------------------------------------------------------------


def _change_detail(a: ListEntry, b: ListEntry, fields: Sequence[str]) -> str:
    parts = []
    for name in fields:
        before, after = getattr(a, name), getattr(b, name)
        if isinstance(before, list):
            plus = [v for v in after if v not in before]
            minus = [v for v in before if v not in after]
            parts.append(f"{name} +{_short(plus)} -{_short(minus)}")
        else:
            parts.append(f"{name} {_short(before)} -> {_short(after)}")
    return "; ".join(parts)


def _short(value: Any, width: int = 60) -> str:
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


# --- output -----------------------------------------------------------------------------------


def _summary_header() -> str:
    return f"{'NAME':<24} {'VERSION':<24} {'ENTRIES':>7}  {'PUBLISHED':<10}  SOURCE"


def _summary_line(item: Item) -> str:
    if isinstance(item, PackSource):
        pack = item.pack
        enabled = sum(1 for r in pack.rules.values() if r.enabled)
        version = f"{pack.version} ({pack.digest})"
        return f"rule-pack:{pack.name:<14} {version:<24} {enabled:>7}  {'-':<10}  {item.path}"
    published = item.published.isoformat() if item.published else "-"
    return f"{item.name:<24} {item.version:<24} {len(item):>7}  {published:<10}  {item.source}"


def _entry_line(entry: ListEntry) -> str:
    listed = entry.listed_from.isoformat() if entry.listed_from else "-"
    bics = ",".join(entry.bics) or "-"
    aliases = f" (+{len(entry.names) - 1} names)" if len(entry.names) > 1 else ""
    programs = "/".join(entry.programs) or "-"
    return (
        f"{entry.entry_id:<28} {entry.kind:<11} {listed:<10} {bics:<20} {programs:<16} "
        f"{entry.primary_name}{aliases}"
    )


def _local_settings() -> Settings:
    """Settings for show/diff/load, which never talk to Kafka: an invalid Kafka setting is
    ignored with a warning (infra.settings.offline_settings) instead of stopping them."""
    try:
        return get_settings()
    except ConfigError:
        from infra.settings import offline_settings

        return offline_settings(lambda line: typer.echo(f"warning: {line}", err=True))


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _entries(loaded: Sequence[Loaded]) -> int:
    """Entries of the lists and enabled rules of the packs."""
    total = 0
    for x in loaded:
        if isinstance(x.item, PackSource):
            total += sum(1 for r in x.item.pack.rules.values() if r.enabled)
        else:
            total += len(x.item)
    return total


def _as_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(f"--published {value!r}: {exc}") from exc


# --- commands ---------------------------------------------------------------------------------


@lists_app.command("show")
def show(
    target: Annotated[
        str | None, typer.Argument(help="A list name (of the current settings), a file or folder")
    ] = None,
    entries: Annotated[bool, typer.Option("--entries", help="List every entry")] = False,
    limit: Annotated[int, typer.Option(help="At most this many entries (0 = all)")] = 0,
    published: Published = None,
) -> None:
    """Each loaded list: name, version, entries, published date, source (and its entries)."""
    settings = _local_settings()
    if target is None:
        loaded = [*settings_lists(settings), Loaded(settings_pack(settings))]
    else:
        loaded = [resolve(target, settings, _as_date(published))]
    from cli.lists_fetch import manifest_line, store_lines

    typer.echo(_summary_header())
    for item in loaded:
        typer.echo(_summary_line(item.item))
        line = manifest_line(item.item) if isinstance(item.item, ReferenceList) else None
        if line:
            typer.echo(line)
    for line in store_lines(settings) if target is None else ():
        typer.echo(line)
    if entries:
        for reference in references(loaded):
            typer.echo(f"\n# {reference.name} {reference.version}")
            shown = reference.entries[:limit] if limit else reference.entries
            for entry in shown:
                typer.echo(_entry_line(entry))
            if len(shown) < len(reference):
                typer.echo(f"… {len(reference) - len(shown)} more (--limit 0 shows all)")


@lists_app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="Old version: list name, file or OFAC folder")],
    b: Annotated[str, typer.Argument(help="New version: list name, file or OFAC folder")],
    limit: Annotated[int, typer.Option(help="At most this many lines per section (0 = all)")] = 50,
    published: Published = None,
) -> None:
    """Entries added, removed and changed (by entry id) from A to B, with counts."""
    settings = _local_settings()
    old, new = (resolve(x, settings, _as_date(published)).item for x in (a, b))
    if not isinstance(old, ReferenceList) or not isinstance(new, ReferenceList):
        raise InputError("diff compares lists, not rule packs")
    typer.echo(f"A: {old.name} {old.version} ({len(old)} entries) {old.source}")
    typer.echo(f"B: {new.name} {new.version} ({len(new)} entries) {new.source}")
    if old.name != new.name:
        typer.echo(f"note: comparing two different lists ({old.name} / {new.name})")
    result = diff_lists(old, new)
    _print_section("+", [_entry_line(e) for e in result.added], limit)
    _print_section("-", [_entry_line(e) for e in result.removed], limit)
    changed = [
        f"{x.entry_id:<28} {x.primary_name}: {_change_detail(x, y, f)}"
        for x, y, f in result.changed
    ]
    _print_section("~", changed, limit)
    typer.echo(
        f"added {len(result.added)}, removed {len(result.removed)}, "
        f"changed {len(result.changed)}, unchanged {result.unchanged}"
    )


def _print_section(mark: str, lines: Sequence[str], limit: int) -> None:
    shown = lines[:limit] if limit else lines
    for line in shown:
        typer.echo(f"{mark} {line}")
    if len(shown) < len(lines):
        typer.echo(f"{mark} … {len(lines) - len(shown)} more (--limit 0 shows all)")


@lists_app.command("load")
def load(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="Files/folders (default: the current settings)")
    ] = None,
    published: Published = None,
    index: Annotated[bool, typer.Option(help="Also build the name indexes and time them")] = False,
) -> None:
    """Validate and print what would load; exit 1 if anything fails to load or is unsafe."""
    settings = _local_settings()
    if sources:
        loaded = [load_path(p, _as_date(published)) for p in sources]
    else:
        loaded = [*settings_lists(settings), Loaded(settings_pack(settings))]
    bad = _report_loaded(loaded)
    if index:
        _time_indexes(references(loaded))
    if bad:
        raise _fail(f"{bad} problem(s) found")
    typer.echo(f"valid: {_entries(loaded):,} entries in {len(loaded)} item(s)")


def _report_loaded(loaded: Sequence[Loaded]) -> int:
    typer.echo(_summary_header())
    bad = 0
    for item in loaded:
        typer.echo(_summary_line(item.item))
        for note in item.notes:
            typer.echo(f"    note: {note}")
        if item.seconds >= 0.05:
            typer.echo(f"    loaded in {item.seconds:.2f}s")
        if isinstance(item.item, ReferenceList):
            for problem in problems(item.item):
                typer.echo(f"    PROBLEM: {problem}")
                bad += 1
    return bad


def _time_indexes(references: Sequence[ReferenceList]) -> None:
    from rules.context import ListIndex

    for reference in references:
        started = time.perf_counter()
        built = ListIndex.build(reference)
        typer.echo(
            f"index {reference.name}: {len(built.names)} aliases in "
            f"{time.perf_counter() - started:.2f}s"
        )


@lists_app.command("publish")
def publish(
    sources: Annotated[
        list[Path] | None, typer.Argument(help="List files/folders or rule-pack YAML to publish")
    ] = None,
    current: Annotated[
        bool, typer.Option("--current", help="Publish every list the current settings load")
    ] = False,
    rule_pack: Annotated[
        bool, typer.Option("--rule-pack", help="Also publish the settings' rule pack")
    ] = False,
    delete: Annotated[
        list[str] | None,
        typer.Option(help="Send a tombstone for this key (list name or rule-pack:NAME)"),
    ] = None,
    published: Published = None,
    dry_run: Annotated[bool, typer.Option(help="Show what would be sent; send nothing")] = False,
) -> None:
    """Send lists and/or a rule pack to the compacted watchlists topic; workers reload live."""
    settings = get_settings()
    loaded = [load_path(p, _as_date(published)) for p in sources or ()]
    if current:
        loaded += settings_lists(settings)
    if rule_pack:
        loaded.append(Loaded(settings_pack(settings)))
    if not loaded and not delete:
        raise InputError("nothing to publish: give files, --current, --rule-pack or --delete")
    if _report_loaded(loaded):
        raise _fail("not published: fix the problems above")
    records = [record_for(x.item) for x in loaded]
    records += [(name.encode(), None, []) for name in delete or ()]
    too_big = oversized(records)
    if too_big:
        raise _fail(f"record(s) over {MAX_RECORD_BYTES} bytes: {', '.join(too_big)}")
    if not dry_run:
        # Refuse before sending anything: a broker that is down, or a missing topic
        # (auto-creation would make it uncompacted and retention would drop the lists).
        from infra import topics as names
        from infra.preflight import require_topics

        require_topics(settings, [settings.topic(names.WATCHLISTS)])
    for key, value, _ in records:
        size = f"{len(value)} bytes" if value is not None else "tombstone"
        typer.echo(f"{'would send' if dry_run else 'sending'} {key.decode()}: {size}")
    if not dry_run:
        for sent in send_records(settings, records):
            typer.echo(sent.line())


def _register_fetch() -> None:
    """`lists fetch` lives in cli/lists_fetch.py (download, verify, store, publish)."""
    from cli.lists_fetch import fetch

    lists_app.command("fetch")(fetch)


_register_fetch()
