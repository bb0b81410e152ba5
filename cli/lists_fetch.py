"""The `dinarwatch lists fetch` command (registered in cli/lists.py).

One run fetches each source once (a systemd timer or cron starts it); `--every 6h` repeats
forever and serves the fetch metrics on 127.0.0.1 meanwhile. Each source is independent: one
that fails prints one line and the others still run; the exit code is that of the first source
that failed (7: download failed, 8: refused, 4/5: the watchlists topic could not be written).
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Annotated
from urllib.parse import urlsplit

import typer

from infra.errors import ListFetchError, ListRefusedError, UserError
from infra.settings import Settings
from lists.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT_S,
    REFUSED,
    FetchFailed,
    FetchOptions,
    FetchResult,
    fetch_source,
    record_failure,
    record_success,
    store_for,
    store_lock,
)
from lists.fetch_metrics import DEFAULT_METRICS_PORT, registry_for, write_textfile
from lists.publish import publish_lists
from lists.store import DEFAULT_KEEP, ListStore
from rules.lists.base import ReferenceList
from rules.lists.sources import SOURCES

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(value: str) -> float:
    """`90s`, `15m`, `6h`, `1d` as seconds (at least 60: the sources publish daily at most)."""
    match = _DURATION.match(value)
    if not match:
        raise typer.BadParameter(f"{value!r}: a duration like 30m, 6h or 1d")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 60:
        raise typer.BadParameter(f"{value!r}: at least 1m between fetches")
    return seconds


def parse_urls(values: Sequence[str]) -> dict[str, str]:
    """`SOURCE=URL` pairs (a folder URL for a multi-file source)."""
    urls: dict[str, str] = {}
    for value in values:
        source, sep, url = value.partition("=")
        if not sep or not url or source not in SOURCES:
            raise typer.BadParameter(
                f"--url {value!r}: expected SOURCE=URL with SOURCE one of {', '.join(SOURCES)}"
            )
        if "@" in urlsplit(url).netloc:
            raise typer.BadParameter(
                f"--url {source}=...: user:password in a URL is refused (the URL is stored in "
                "the manifest, published to the workers and printed); use a mirror without it"
            )
        urls[source] = url
    return urls


@dataclass
class RunOutcome:
    """What one run did: the error each failed source ended with (in the order tried)."""

    errors: dict[str, UserError]

    @property
    def exit_code(self) -> int:
        return next(iter(self.errors.values())).exit_code if self.errors else 0


def run_once(
    settings: Settings,
    store: ListStore,
    sources: Sequence[str],
    options: FetchOptions,
    publish: bool = True,
    stop: threading.Event | None = None,
) -> RunOutcome:
    """Fetch each source once; print one line per source (stdout when fine, stderr if not).
    A set `stop` ends the run after the source being fetched."""
    outcome = RunOutcome({})
    with store_lock(store):
        for source in sources:
            if stop is not None and stop.is_set():
                break
            error = _fetch_one(settings, store, source, options, publish)
            if error is not None:
                outcome.errors[source] = error
                typer.echo(error.line(), err=True)
    return outcome


def _fetch_one(
    settings: Settings, store: ListStore, source: str, options: FetchOptions, publish: bool
) -> UserError | None:
    started = time.perf_counter()
    at = datetime.now(UTC).replace(microsecond=0)
    current, status = store.current(source), store.status(source)
    settled = None  # the version in force, when nothing remains to do with it
    if current is not None and (not publish or status.published_version == current.version_id):
        settled = current.version_id
    try:
        result = fetch_source(store, source, options, now=at, settled=settled)
    except FetchFailed as failure:
        record_failure(store, source, failure, at, time.perf_counter() - started)
        kind = ListRefusedError if failure.reason in REFUSED else ListFetchError
        said = failure.message.removeprefix(f"{source}: ")
        return kind(f"{source}: {said}; {_kept(store, source)}")
    needs_publish = publish and status.published_version != result.stored.version_id
    if needs_publish:
        try:
            for sent in publish_lists(settings, result.lists):
                typer.echo(sent.line())
        except UserError as error:
            publish_failure = FetchFailed("publish", f"{source}: {error.message}")
            record_failure(store, source, publish_failure, at, time.perf_counter() - started)
            error.message = f"{source}: stored {result.stored.version_id}, not published: " + (
                error.message
            )
            return error
    record_success(store, result, at, published=needs_publish)
    typer.echo(_summary(result, needs_publish, publish))
    return None


def _kept(store: ListStore, source: str) -> str:
    current = store.current(source)
    if current is None:
        return "no version of it stored yet"
    fetched = current.manifest.lists[0].fetched_at if current.manifest.lists else None
    when = fetched.isoformat() if fetched else "?"
    return f"kept {current.version_id} (fetched {when}, {current.entries:,} entries)"


def _summary(result: FetchResult, published: bool, publish: bool) -> str:
    lists = ", ".join(
        f"{item.name} {item.version} ({item.entries or 0:,} entries)"
        for item in result.stored.manifest.lists
    )
    state = "new version" if result.changed else "unchanged"
    action = "published" if published else ("already published" if publish else "not published")
    return (
        f"{result.source}: {state} {result.stored.version_id}: {lists}; "
        f"{result.downloaded_bytes:,} bytes in {result.seconds:.1f}s; {action}"
    )


class _Stop:
    """Set by SIGTERM/SIGINT: the loop finishes the source it is on and exits."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.event.set()


def run_every(
    settings: Settings,
    store: ListStore,
    sources: Sequence[str],
    options: FetchOptions,
    every: float,
    metrics_port: int,
    textfile: Path | None,
    publish: bool,
) -> None:
    """Fetch, then wait `every` seconds, until SIGTERM or Ctrl-C; /metrics meanwhile."""
    from prometheus_client import start_http_server

    from infra.preflight import require_port_free

    registry = registry_for(store, sources)
    if metrics_port:
        require_port_free("127.0.0.1", metrics_port, "--metrics-port", "--metrics-port")
        start_http_server(metrics_port, addr="127.0.0.1", registry=registry)
        typer.echo(f"metrics on http://127.0.0.1:{metrics_port}/metrics")
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stop.event.is_set():
        try:
            run_once(settings, store, sources, options, publish, stop.event)
        except FetchFailed as busy:  # another fetch holds the store's lock: try next time
            typer.echo(ListFetchError(busy.message).line(), err=True)
        if textfile is not None:
            write_textfile(textfile, registry)
        stop.event.wait(every)
    typer.echo("stopped")


def fetch(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help=f"Sources to fetch (default: all): {', '.join(SOURCES)}"),
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option(
            "--url",
            help="SOURCE=URL instead of the official URL (a multi-file source: its folder); "
            "repeatable",
        ),
    ] = None,
    every: Annotated[
        str | None,
        typer.Option(help="Keep running, fetching every 30m/6h/1d; serves /metrics meanwhile"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Accept a list that shrank by more than 20%")
    ] = False,
    store: Annotated[
        Path | None,
        typer.Option(help="Version store (default: DINARWATCH_DATA_DIR/list-store)"),
    ] = None,
    keep: Annotated[int, typer.Option(help="Versions kept per source", min=1)] = DEFAULT_KEEP,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a server", min=1)
    ] = DEFAULT_TIMEOUT_S,
    max_bytes: Annotated[
        int, typer.Option(help="Largest file accepted, in bytes", min=1)
    ] = DEFAULT_MAX_BYTES,
    publish: Annotated[
        bool, typer.Option(help="Publish new versions to the watchlists topic")
    ] = True,
    textfile: Annotated[
        Path | None,
        typer.Option(help="Write the fetch metrics here (node_exporter textfile collector)"),
    ] = None,
    metrics_port: Annotated[
        int,
        typer.Option(help="With --every: serve /metrics on 127.0.0.1:PORT (0: don't)", min=0),
    ] = DEFAULT_METRICS_PORT,
) -> None:
    """Download lists from their official URLs, verify, store versioned, publish to workers."""
    from infra.settings import get_settings

    chosen = list(dict.fromkeys(sources or SOURCES))
    unknown = [s for s in chosen if s not in SOURCES]
    if unknown:
        raise typer.BadParameter(
            f"unknown source {', '.join(unknown)} (known: {', '.join(SOURCES)})"
        )
    options = FetchOptions(parse_urls(url or ()), force, timeout, max_bytes, keep)
    interval = parse_every(every) if every is not None else None
    if publish:
        settings = get_settings()
    else:
        from cli.lists import _local_settings

        settings = _local_settings()
    list_store = store_for(settings.data_dir, store)
    if interval is not None:
        run_every(settings, list_store, chosen, options, interval, metrics_port, textfile, publish)
        return
    try:
        outcome = run_once(settings, list_store, chosen, options, publish)
    except FetchFailed as busy:  # another fetch holds the store's lock
        raise ListFetchError(busy.message) from None
    finally:
        if textfile is not None:
            write_textfile(textfile, registry_for(list_store, chosen))
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


# --- what `lists show` prints about manifests and the store --------------------------------------


def manifest_line(reference: ReferenceList) -> str | None:
    """`    manifest: source=ofac-sdn url=... fetched_at=... sha256=... entries=...`, or None."""
    if not reference.manifest:
        return None
    keys = ("source", "url", "path", "fetched_at", "sha256", "entries")
    parts = [f"{k}={reference.manifest[k]}" for k in keys if reference.manifest.get(k) is not None]
    return "    manifest: " + " ".join(parts)


def store_lines(settings: Settings, store: Path | None = None) -> list[str]:
    """The fetch store's version in force per source and its last attempt (empty: no store)."""
    list_store = store_for(settings.data_dir, store)
    sources = list_store.sources()
    if not sources:
        return []
    lines = [f"\n# fetched lists (dinarwatch lists fetch), store {list_store.root}"]
    for source in sources:
        current = list_store.current(source)
        status = list_store.status(source)
        if current is None:
            lines.append(f"{source:<14} no good version yet")
        for item in current.manifest.lists if current else ():
            fetched = item.fetched_at.isoformat() if item.fetched_at else "-"
            lines.append(
                f"{source:<14} {item.name:<20} {item.version or '-':<24} {item.entries or 0:>7}  "
                f"fetched {fetched} sha256 {item.sha256} from {item.url}"
            )
        if status.last_failure and (
            status.last_success is None or status.last_failure >= status.last_success
        ):
            lines.append(
                f"{'':<14} last attempt {status.last_failure.isoformat()} failed "
                f"({status.last_failure_reason}): {status.last_failure_message}"
            )
    return lines
