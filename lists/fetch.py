"""`dinarwatch lists fetch`: download a list source, verify it, store it versioned, publish it.

Steps, per source (the registry in rules/lists/sources.py names its files, URLs and cadence):
  1. download every file (urllib: no extra dependency), with a timeout, a size cap, a check of
     the Content-Type (an HTML error page served with status 200 is the classic bad download)
     and of the Content-Length (a connection cut early is a truncated file, never a list);
  2. verify: the bytes parse as the source's format (rules.lists.sources.parse_source), each
     list passes the checks `lists publish` applies, and the entry count has not fallen by more
     than MAX_SHRINK since the version in force (a half-published or cut file parses fine and
     would silently unlist thousands of parties) unless --force;
  3. store the version (lists/store.py: atomic, the last N kept) and make it current;
  4. publish each list to the watchlists topic with the same records `lists publish` sends,
     each carrying its manifest (source, URL, fetched-at, SHA-256, entries, version).
A failure at 1 or 2 leaves the store and the topic as they were: the last good version stays
in force. Every attempt's outcome is kept in the source's status file, from which the metrics
(lists/fetch_metrics.py) are read.
"""

from __future__ import annotations

import fcntl
import http.client
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from lists.files import ListSource
from lists.store import (
    DEFAULT_KEEP,
    FetchStatus,
    ListStore,
    StoredVersion,
    files_sha256,
    version_id,
)
from rules.lists.base import ReferenceList
from rules.lists.sources import SOURCES, ListFormatError, SourceSpec, parse_source

log = logging.getLogger("dinarwatch.lists.fetch")

MAX_SHRINK = 0.20
"""A new version with fewer than (1 - MAX_SHRINK) x the entries in force is refused."""
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
USER_AGENT = "dinarwatch-lists-fetch/1"

FAILURE_REASONS = (
    "unreachable",  # connection refused, DNS, timeout
    "http-status",  # a status other than 200
    "content-type",  # HTML or another type the file cannot be
    "too-large",  # over --max-bytes
    "truncated",  # fewer bytes than Content-Length
    "parse",  # not the source's format
    "invalid",  # parses, but fails the checks `lists publish` applies
    "shrank",  # more than MAX_SHRINK fewer entries than the version in force
    "publish",  # stored, but the watchlists topic could not be written
)
"""Reasons a fetch fails (the `reason` label of dinarwatch_list_fetch_failures_total)."""
REFUSED = frozenset({"parse", "invalid", "shrank"})
"""Reasons where the download arrived but was refused (exit code 8, not 7)."""

# Types a server may give each kind of file. Anything else (text/html above all) is refused;
# a missing Content-Type is accepted (some mirrors send none).
_GENERIC = {"application/octet-stream", "binary/octet-stream", "application/x-download"}
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    ".csv": frozenset({"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"}),
    ".xml": frozenset({"application/xml", "text/xml"}),
    ".json": frozenset({"application/json", "application/x-ndjson", "text/plain"}),
}


class FetchFailed(Exception):
    """One source's fetch failed; `reason` is one of FAILURE_REASONS, the message says why."""

    def __init__(self, reason: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status = status
        """The HTTP status when the server answered with an error (404: try the next URL)."""


@dataclass(frozen=True)
class Download:
    """One file as downloaded."""

    url: str
    data: bytes
    content_type: str
    last_modified: datetime | None


@dataclass(frozen=True)
class FetchOptions:
    """What the command line chose."""

    urls: Mapping[str, str] = field(default_factory=dict)
    """SOURCE -> URL overrides (a folder URL for a multi-file source)."""
    force: bool = False
    timeout: float = DEFAULT_TIMEOUT_S
    max_bytes: int = DEFAULT_MAX_BYTES
    keep: int = DEFAULT_KEEP


@dataclass(frozen=True)
class FetchResult:
    """What one source's fetch did."""

    source: str
    stored: StoredVersion
    lists: tuple[ReferenceList, ...]
    changed: bool
    """False when the download has the same bytes as the version in force."""
    seconds: float
    downloaded_bytes: int


# --- download ---------------------------------------------------------------------------------


def download(url: str, *, timeout: float, max_bytes: int, name: str | None = None) -> Download:
    """GET `url` (http, https or file); FetchFailed with a one-line reason on any problem.
    `name` is the file's name in the source (its suffix says which types it may come as; the
    URL's own may have none, e.g. the EU's `.../content?token=...`)."""
    if not url.startswith(("http://", "https://", "file:")):
        raise FetchFailed("unreachable", f"{url}: only http(s):// and file: URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = getattr(response, "status", None) or 200  # file: URLs have none
            if status != 200:
                raise FetchFailed("http-status", f"{url}: HTTP {status}", status)
            expected = response.headers.get("Content-Length")
            data = _read_capped(response, url, max_bytes)
            content_type = (response.headers.get_content_type() or "").lower()
            declared = response.headers.get("Content-Type")
            modified = _http_date(response.headers.get("Last-Modified"))
    except FetchFailed:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchFailed("http-status", f"{url}: HTTP {exc.code} {exc.reason}", exc.code) from None
    except http.client.IncompleteRead as exc:
        raise FetchFailed(
            "truncated", f"{url}: connection closed after {len(exc.partial):,} bytes"
        ) from None
    except TimeoutError:
        raise FetchFailed("unreachable", f"{url}: no answer within {timeout:g} s") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FileNotFoundError):  # a file: URL's 404
            raise FetchFailed("http-status", f"{url}: no such file", 404) from None
        raise FetchFailed("unreachable", f"{url}: {_reason(exc.reason)}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchFailed("unreachable", f"{url}: {_reason(exc)}") from None
    if expected is not None and expected.isdigit() and int(expected) != len(data):
        raise FetchFailed(
            "truncated", f"{url}: {len(data):,} bytes of the {int(expected):,} announced"
        )
    check_content_type(url, declared and content_type, data, name)
    return Download(url, data, content_type if declared else "", modified)


def _read_capped(response: http.client.HTTPResponse, url: str, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(1024 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed("too-large", f"{url}: larger than {max_bytes:,} bytes (--max-bytes)")
        chunks.append(chunk)


def check_content_type(
    url: str, content_type: str | None, data: bytes, name: str | None = None
) -> None:
    """Refuse an HTML page (whatever it is labelled) and a type the file's kind cannot have
    (the kind is the suffix of `name`, else of the URL's path)."""
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FetchFailed("content-type", f"{url}: the server sent an HTML page, not the list")
    if not content_type:
        return
    suffix = Path(name or url.split("?", 1)[0]).suffix.lower()
    allowed = ALLOWED_TYPES.get(suffix)
    if content_type in _GENERIC or allowed is None or content_type in allowed:
        return
    raise FetchFailed(
        "content-type",
        f"{url}: Content-Type {content_type}, expected {' or '.join(sorted(allowed))}",
    )


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timed out"
    return " ".join(str(reason).split()) or type(reason).__name__


def _file_names(spec: SourceSpec) -> list[str]:
    alternatives = [name for files in spec.alternatives for name in files]
    return list(dict.fromkeys([*spec.files, *alternatives, *spec.urls]))


def file_urls(spec: SourceSpec, override: str | None) -> dict[str, list[str]]:
    """Per file, the URLs to try in order. An override is the file's URL for a one-file source
    and the folder's for a multi-file one: the file is looked for under the name the registry
    gives it, then under the official URL's own name (OFAC serves SDN.CSV)."""
    names = _file_names(spec)
    if override is None:
        return {name: [spec.urls[name]] for name in names if name in spec.urls}
    if len(names) == 1:
        return {names[0]: [override]}
    folder = override if override.endswith("/") else override + "/"
    found: dict[str, list[str]] = {}
    for name in names:
        official = spec.urls.get(name, "").rsplit("/", 1)[-1]
        found[name] = [folder + n for n in dict.fromkeys([name, official]) if n]
    return found


def download_source(
    spec: SourceSpec, override: str | None, options: FetchOptions
) -> dict[str, Download]:
    """Every file of the source: its required files (or those of an alternative set the server
    has instead), and the optional files the server has (an optional file's 404 is no failure)."""
    urls = file_urls(spec, override)
    missing: FetchFailed | None = None
    for required in (spec.required, *spec.alternatives):
        try:
            got = {name: _first_of(spec, name, urls.get(name, []), options) for name in required}
        except FetchFailed as exc:
            if exc.status != 404:
                raise
            missing = missing or exc
            continue
        for name in spec.optional:
            try:
                got[name] = _first_of(spec, name, urls.get(name, []), options)
            except FetchFailed as exc:
                if exc.status != 404:
                    raise
                log.info("%s: optional file %s not found; going on without it", spec.name, name)
        return got
    assert missing is not None
    raise missing


def _first_of(spec: SourceSpec, name: str, urls: Sequence[str], options: FetchOptions) -> Download:
    """The first URL that answers 200 (the next one is only tried after a 404)."""
    error = FetchFailed("http-status", f"{spec.name}: no URL for {name} (give --url)", 404)
    for url in urls:
        try:
            return download(url, timeout=options.timeout, max_bytes=options.max_bytes, name=name)
        except FetchFailed as exc:
            if exc.status != 404:
                raise
            error = exc
    raise error


# --- verify -----------------------------------------------------------------------------------


def verify(
    source: str,
    files: Mapping[str, bytes],
    *,
    published: date | None,
    previous: StoredVersion | None,
    force: bool,
) -> list[ReferenceList]:
    """The lists in the download; FetchFailed (parse, invalid, shrank) when they are refused."""
    from lists.load import problems

    try:
        lists = parse_source(source, files, published=published)
    except ListFormatError as exc:
        raise FetchFailed("parse", f"{source}: {exc}") from None
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise FetchFailed(
            "parse", f"{source}: not its format: {' '.join(str(exc).split())}"
        ) from None
    if not lists:
        raise FetchFailed("parse", f"{source}: the files hold no list")
    for reference in lists:
        found = problems(reference)
        if found:
            more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
            raise FetchFailed("invalid", f"{source}: {reference.name}: {found[0]}{more}")
    entries = sum(len(x) for x in lists)
    if previous is not None and not force:
        before = previous.entries
        if before and entries < before * (1 - MAX_SHRINK):
            raise FetchFailed(
                "shrank",
                f"{source}: {entries:,} entries against {before:,} in force "
                f"({(before - entries) / before:.0%} fewer, more than {MAX_SHRINK:.0%}): "
                "check the source, or fetch with --force",
            )
    return lists


# --- one source, end to end -------------------------------------------------------------------


def manifest_entries(
    source: str,
    url: str,
    fetched_at: datetime,
    files: Mapping[str, bytes],
    lists: Sequence[ReferenceList],
) -> list[ListSource]:
    """One manifest entry per list the version holds (path filled in by the store)."""
    sha, each = files_sha256(files)
    return [
        ListSource.model_validate(
            {
                "name": ref.name,
                "source": source,
                "path": "",
                "version": ref.version,
                "sha256": sha,
                "url": url,
                "fetched_at": fetched_at,
                "entries": len(ref),
                "files": each,
            }
        )
        for ref in lists
    ]


def with_manifest(reference: ReferenceList, item: ListSource) -> ReferenceList:
    """The list carrying its manifest (what the watchlists record and /health show)."""
    return replace(reference, manifest=item.model_dump(mode="json", exclude_none=True))


def fetch_source(
    store: ListStore,
    source: str,
    options: FetchOptions,
    now: datetime | None = None,
    *,
    settled: str | None = None,
) -> FetchResult:
    """Download, verify and store one source; the stored version is current on return.

    FetchFailed leaves the store's current version untouched. `settled` names a version that
    needs nothing more (already published, or nothing is published): a download identical to it
    is not parsed again and the result holds no lists.
    """
    spec = SOURCES[source]
    started = time.perf_counter()
    override = options.urls.get(source)
    downloads = download_source(spec, override, options)
    fetched_at = (now or datetime.now(UTC)).replace(microsecond=0)
    files = {name: d.data for name, d in downloads.items()}
    modified = [d.last_modified for d in downloads.values() if d.last_modified is not None]
    published = max(modified).astimezone(UTC).date() if modified else None
    previous = store.current(source)
    sha, _ = files_sha256(files)
    if previous is not None and previous.sha256 == sha and previous.version_id == settled:
        took = time.perf_counter() - started
        return FetchResult(source, previous, (), False, took, sum(map(len, files.values())))
    lists = verify(source, files, published=published, previous=previous, force=options.force)
    url = override or spec.folder_url or next(iter(downloads.values())).url
    if previous is not None and previous.sha256 == sha:
        stored, changed = previous, False
    else:
        items = manifest_entries(source, url, fetched_at, files, lists)
        stored = store.add_version(source, files, items, version_id(fetched_at, sha))
        store.make_current(stored)
        store.prune(source, options.keep)
        changed = True
    by_name = {item.name: item for item in stored.manifest.lists}
    published_lists = tuple(
        with_manifest(ref, by_name[ref.name]) if ref.name in by_name else ref for ref in lists
    )
    return FetchResult(
        source,
        stored,
        published_lists,
        changed,
        time.perf_counter() - started,
        sum(len(d) for d in files.values()),
    )


def record_success(store: ListStore, result: FetchResult, at: datetime, published: bool) -> None:
    status = store.status(result.source)
    status.last_attempt = at
    status.last_success = at
    status.last_seconds = round(result.seconds, 3)
    if published:
        status.published_version = result.stored.version_id
    store.save_status(status)


def record_failure(
    store: ListStore, source: str, failure: FetchFailed, at: datetime, seconds: float
) -> FetchStatus:
    status = store.status(source)
    status.last_attempt = at
    status.last_failure = at
    status.last_failure_reason = failure.reason
    status.last_failure_message = failure.message[:500]
    status.failures[failure.reason] = status.failures.get(failure.reason, 0) + 1
    status.last_seconds = round(seconds, 3)
    store.save_status(status)
    return status


@contextmanager
def store_lock(store: ListStore) -> Iterator[None]:
    """One fetch at a time per store (a timer run and a hand run must not interleave)."""
    store.root.mkdir(parents=True, exist_ok=True)
    with open(store.root / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FetchFailed(
                "unreachable", f"another `lists fetch` is running on {store.root}"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def store_for(data_dir: Path, store: Path | None) -> ListStore:
    from lists.store import STORE_FOLDER

    return ListStore(store if store is not None else data_dir / STORE_FOLDER)
