"""Replay input from files and directories, and what exactly was read (paths, sizes, hashes).

An auditor's first question about a replay is "on which input?", so every source can describe
itself for report.json. Parsing is not done here: records go to offline.screen.screen_records,
the decode-and-screen path `dinarwatch screen` uses too.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from offline.screen import SourceRecord, input_error, read_records

FILE_SUFFIXES = (".jsonl", ".json", ".ndjson", ".xml", ".txt", ".mt", ".fin", ".gz")
"""Files picked up inside a directory; a file named on the command line is read whatever its
name."""

Progress = Callable[[int, int], None]
"""Called with the input consumed since the last call: (units, records), units being bytes for
files (the bar's position) and records for a topic."""


class ReplaySource(Protocol):
    """What the runner needs from an input: records, a size for the progress bar, a description."""

    unit: str
    """What `advance` counts: bytes (files) or records (Kafka)."""

    @property
    def total_bytes(self) -> int | None: ...

    def records(self, advance: Progress | None = None) -> Iterator[SourceRecord]: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass
class InputFile:
    """One input file: the path as given, size and SHA-256 of the bytes on disk."""

    path: str
    size: int
    sha256: str
    records: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "bytes": self.size,
            "sha256": self.sha256,
            "records": self.records,
        }


@dataclass
class FileSource:
    """Files and directories, expanded to a stable list of files (directories sorted by path)."""

    paths: list[Path]
    files: list[InputFile] = field(default_factory=list)
    unit: str = "bytes"
    skipped: dict[str, list[str]] = field(default_factory=dict)
    """Files inside the given folders that are not payment files, by folder (a warning)."""

    def __post_init__(self) -> None:
        self.files = [_input_file(p) for p in expand(self.paths, self.skipped)]

    @property
    def total_bytes(self) -> int | None:
        return sum(f.size for f in self.files)

    def records(self, advance: Progress | None = None) -> Iterator[SourceRecord]:
        """Every record of every file, in file order then record order."""
        for info in self.files:
            info.records = 0
            with Path(info.path).open("rb") as raw, _decompressed(raw, info.path) as stream:
                seen, told = 0, 0
                for record in read_records(stream, info.path):
                    info.records += 1
                    yield record
                    if advance is not None and info.records % 512 == 0:
                        seen = _advance(advance, raw.tell(), seen, info.records - told)
                        told = info.records
                if advance is not None:
                    _advance(advance, info.size, seen, info.records - told)

    def describe(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"kind": "files", "files": [f.as_json() for f in self.files]}
        if self.skipped:
            doc["skipped_files"] = {k: v for k, v in sorted(self.skipped.items())}
        return doc


def _input_file(path: Path) -> InputFile:
    """Size and digest of an input file; one InputError naming it when it cannot be read
    (permissions, an I/O error) rather than an unexpected OSError."""
    try:
        return InputFile(str(path), path.stat().st_size, sha256_file(path))
    except OSError as exc:
        raise input_error(str(path), exc, 0) from None


def _decompressed(raw: IO[bytes], name: str) -> AbstractContextManager[IO[bytes]]:
    """The file's content: gzip decompressed over the raw file, whose position (compressed bytes
    read) drives the progress bar; other files as they are (left open for the caller)."""
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return nullcontext(raw)


def _advance(advance: Progress, position: int, seen: int, records: int) -> int:
    advance(max(position - seen, 0), records)
    return max(position, seen)


def expand(paths: Iterable[Path], skipped: dict[str, list[str]] | None = None) -> list[Path]:
    """Files as given; directories walked recursively, their files sorted by path. Files of a
    directory without a payment-file suffix go to `skipped` (by directory) for a warning."""
    from infra.errors import InputError

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            found += [p for p in files if p.name.endswith(FILE_SUFFIXES)]
            others = [str(p.relative_to(path)) for p in files if not p.name.endswith(FILE_SUFFIXES)]
            if others and skipped is not None:
                skipped[str(path)] = others
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise InputError(f"{path} is neither a file nor a folder")
        else:
            raise InputError(f"{path}: no such file or folder: check the path")
    return found


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes (1 MiB at a time): input files, rule packs, run outputs."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
