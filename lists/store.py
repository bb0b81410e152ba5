"""The versioned store of downloaded reference lists that `dinarwatch lists fetch` keeps.

One folder per source, one subfolder per stored version, the bytes exactly as downloaded:

    <store>/<source>/<version id>/<file>...     the files, e.g. ofac-sdn/20261206T225900Z-1a2b3c/
    <store>/<source>/<version id>/manifest.json a ListManifest: one ListSource per list it holds
    <store>/<source>/current                    a symlink to the version in force
    <store>/<source>/status.json                fetch attempts, last success, failures by reason
    <store>/manifest.yaml                       every source's current lists: a ListManifest that
                                                lists.files.read_manifest loads

A version folder is written under a temporary name and renamed into place, and `current` is
replaced with os.replace, so a crash or a full disk never leaves a half-written version in
force: the previous one stays current until the new one is whole. Only the newest `keep`
versions (and always the current one) are kept.

The manifest reuses lists.files.ListSource (name, source, path, version, sha256) with the
fields a download adds (url, fetched_at, entries, files). `sha256` is the digest of the one file
of a one-file source (what `sha256sum` prints); for a folder of files it is the SHA-256 of the
`sha256sum`-style lines `<sha256>  <file>\n` in file-name order, and `files` holds each file's.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from lists.files import ListManifest, ListSource
from rules.lists.base import ReferenceList

STORE_FOLDER = "list-store"
"""The store's folder under DINARWATCH_DATA_DIR (beside Faust's one-folder-per-app-id state)."""
CURRENT = "current"
STATUS = "status.json"
VERSION_MANIFEST = "manifest.json"
STORE_MANIFEST = "manifest.yaml"
DEFAULT_KEEP = 5


def files_sha256(files: Mapping[str, bytes]) -> tuple[str, dict[str, str]]:
    """The version's digest (see the module docstring) and each file's."""
    each = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    if len(each) == 1:
        return next(iter(each.values())), each
    lines = "".join(f"{digest}  {name}\n" for name, digest in each.items())
    return hashlib.sha256(lines.encode()).hexdigest(), each


def version_id(fetched_at: datetime, sha256: str) -> str:
    """`20261206T225900Z-1a2b3c4d5e6f`: sorts by time, names the content."""
    return f"{fetched_at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}-{sha256[:12]}"


class FetchStatus(BaseModel):
    """What the fetcher knows about one source across runs (the metrics are read from it, so a
    timer that starts a fresh process each time still exports counters that only grow)."""

    model_config = ConfigDict(extra="ignore")

    source: str
    last_attempt: datetime | None = None
    last_success: datetime | None = Field(
        default=None, description="Last download that verified (new or unchanged content)"
    )
    last_failure: datetime | None = None
    last_failure_reason: str | None = None
    last_failure_message: str | None = None
    failures: dict[str, int] = Field(default_factory=dict, description="Count by reason")
    published_version: str | None = Field(
        default=None, description="Version id last published to the watchlists topic"
    )
    last_seconds: float | None = Field(default=None, description="Duration of the last attempt")


@dataclass(frozen=True)
class StoredVersion:
    """One version folder and its manifest."""

    source: str
    version_id: str
    folder: Path
    manifest: ListManifest

    @property
    def entries(self) -> int:
        return sum(item.entries or 0 for item in self.manifest.lists)

    @property
    def sha256(self) -> str:
        return self.manifest.lists[0].sha256 or "" if self.manifest.lists else ""

    def read_files(self) -> dict[str, bytes]:
        """The downloaded bytes, by file name (the manifest's `files`)."""
        names = self.manifest.lists[0].files or {} if self.manifest.lists else {}
        return {name: (self.folder / name).read_bytes() for name in names}


class ListStore:
    """The store rooted at `root` (created on first write)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def source_dir(self, source: str) -> Path:
        return self.root / source

    # --- reading -------------------------------------------------------------------------------

    def current(self, source: str) -> StoredVersion | None:
        """The version in force, or None before the first good fetch."""
        try:
            vid = os.readlink(self.source_dir(source) / CURRENT)
        except FileNotFoundError:
            return None
        return self.version(source, vid)

    def version(self, source: str, vid: str) -> StoredVersion:
        folder = self.source_dir(source) / vid
        doc = json.loads((folder / VERSION_MANIFEST).read_text("utf-8"))
        return StoredVersion(source, vid, folder, ListManifest.model_validate(doc))

    def versions(self, source: str) -> list[str]:
        """Stored version ids, oldest first (ids sort by fetch time)."""
        folder = self.source_dir(source)
        if not folder.is_dir():
            return []
        return sorted(
            p.name
            for p in folder.iterdir()
            if p.is_dir() and not p.is_symlink() and (p / VERSION_MANIFEST).is_file()
        )

    def sources(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name[0] != ".")

    def status(self, source: str) -> FetchStatus:
        path = self.source_dir(source) / STATUS
        try:
            return FetchStatus.model_validate_json(path.read_bytes())
        except FileNotFoundError:
            return FetchStatus(source=source)

    def manifest(self) -> ListManifest:
        """Every source's current lists."""
        lists: list[ListSource] = []
        for source in self.sources():
            stored = self.current(source)
            if stored is not None:
                lists.extend(stored.manifest.lists)
        return ListManifest(lists=lists)

    # --- writing -------------------------------------------------------------------------------

    def add_version(
        self, source: str, files: Mapping[str, bytes], lists: Sequence[ListSource], vid: str
    ) -> StoredVersion:
        """Write a version folder whole (temporary name, then rename); not yet current."""
        folder = self.source_dir(source)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / vid
        tmp = Path(tempfile.mkdtemp(prefix=f".{vid}.", dir=folder))
        try:
            for name, data in files.items():
                _write_synced(tmp / name, data)
            manifest = ListManifest(
                lists=[item.model_copy(update={"path": str(final)}) for item in lists]
            )
            _write_synced(tmp / VERSION_MANIFEST, _json(manifest.model_dump(mode="json")))
            if final.exists():  # the same content fetched twice in one second
                shutil.rmtree(final)
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(folder)
        return StoredVersion(source, vid, final, manifest)

    def make_current(self, stored: StoredVersion) -> None:
        """Point `current` at the version: a new symlink renamed over the old one, so the path
        `<store>/<source>/current/` always names a whole version (DINARWATCH_OFAC_DIR and
        DINARWATCH_UN_XML can point into it)."""
        folder = self.source_dir(stored.source)
        tmp = folder / f".{CURRENT}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(stored.version_id, tmp)
        os.replace(tmp, folder / CURRENT)
        _fsync_dir(folder)
        self.write_manifest()

    def write_manifest(self) -> None:
        doc = self.manifest().model_dump(mode="json", exclude_none=True)
        self.root.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.root / STORE_MANIFEST, yaml.safe_dump(doc, sort_keys=False).encode())

    def save_status(self, status: FetchStatus) -> None:
        folder = self.source_dir(status.source)
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(folder / STATUS, status.model_dump_json(indent=2).encode())

    def prune(self, source: str, keep: int = DEFAULT_KEEP) -> list[str]:
        """Delete all but the newest `keep` versions (never the current one); returns the ids
        deleted. Left-over temporary folders of an interrupted write go too."""
        current = self.current(source)
        ids = self.versions(source)
        doomed = [
            v for v in ids[: max(len(ids) - keep, 0)] if not current or v != current.version_id
        ]
        for vid in doomed:
            shutil.rmtree(self.source_dir(source) / vid, ignore_errors=True)
        for tmp in self.source_dir(source).glob(".*"):
            if tmp.is_symlink():
                tmp.unlink(missing_ok=True)
            elif tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
        return doomed


def _json(doc: Any) -> bytes:
    return json.dumps(doc, indent=2, sort_keys=True).encode()


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _atomic_write(path: Path, data: bytes) -> None:
    """Write beside `path`, fsync, then rename over it: readers see the old or the new bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load_stored(item: ListSource) -> ReferenceList:
    """A manifest entry of a fetched version as its list (lists.files.load_source calls
    this for the fetched kinds): the files are checked against the manifest's SHA-256 first."""
    from lists.files import ListFileError
    from rules.lists.sources import ListFormatError, parse_source

    folder = Path(item.path)
    try:
        files = {name: (folder / name).read_bytes() for name in item.files or {}}
    except OSError as error:
        raise ListFileError(f"cannot read fetched list {folder}: {error.strerror}") from None
    sha, _ = files_sha256(files)
    if not files or (item.sha256 is not None and sha != item.sha256):
        raise ListFileError(
            f"fetched list {folder} has SHA-256 {sha}, its manifest says {item.sha256}: "
            "fetch it again (dinarwatch lists fetch)"
        )
    published = (
        date.fromisoformat(item.version[:10]) if item.version and _dated(item.version) else None
    )
    try:
        found = parse_source(item.source, files, published=published)
    except ListFormatError as error:
        raise ListFileError(f"fetched list {folder}: {error}") from None
    for reference in found:
        if reference.name == item.name and item.version not in (None, reference.version):
            raise ListFileError(
                f"fetched list {folder}: {item.name} is version {reference.version}, "
                f"its manifest says {item.version}"
            )
        if reference.name == item.name:
            return replace(reference, manifest=item.model_dump(mode="json", exclude_none=True))
    raise ListFileError(f"fetched list {folder} holds no list named {item.name}")


def _dated(version: str) -> bool:
    """A `<published>+<hash>` version (ReferenceList.build) names the day it was dated with."""
    if "+" not in version:
        return False
    try:
        date.fromisoformat(version[:10])
    except ValueError:
        return False
    return True


def stored_provenance(reference: ReferenceList, path: Path) -> dict[str, Any] | None:
    """The fetch manifest of `reference` when it was read from a stored version (`path` is the
    version's folder or a file in it, e.g. DINARWATCH_OFAC_DIR=<store>/ofac-sdn/current) and the
    files there are still the ones downloaded; else None. Version and entries are the list's as
    loaded (a folder read without a publication date has an undated version)."""
    folder = path if path.is_dir() else path.parent
    try:
        manifest = ListManifest.model_validate_json((folder / VERSION_MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    for item in manifest.lists:
        if item.name != reference.name or not item.files:
            continue
        try:
            files = {name: (folder / name).read_bytes() for name in item.files}
        except OSError:
            return None
        if files_sha256(files)[0] != item.sha256:
            return None
        loaded = {"path": str(folder), "version": reference.version, "entries": len(reference)}
        return item.model_copy(update=loaded).model_dump(mode="json", exclude_none=True)
    return None
