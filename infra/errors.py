"""Errors a person can read: one line naming the file, value or endpoint, and what to do.

Commands raise a UserError subclass when the cause is outside the program (a file, a setting, the
broker); the one handler in cli/app.py prints its message on one line and exits with its
code. Anything else is a bug: one line too, with the traceback under --debug or
DINARWATCH_LOG_LEVEL=DEBUG. The codes are documented in docs/cli.md (a test keeps the table and
this module in step).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

EXIT_OK = 0
EXIT_FINDING = 1
"""The command ran and its answer is "no": --compare found differences, a check failed."""
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_BROKER = 4
EXIT_TOPIC = 5
EXIT_NOTHING_SCREENED = 6
EXIT_FETCH_FAILED = 7
EXIT_FETCH_REFUSED = 8
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""The reader of stdout went away (`... | head`): the code a shell gives a command killed by
SIGPIPE, which `set -o pipefail` scripts already expect."""


class UserError(Exception):
    """A problem the user can fix; `message` names what is wrong and what to do."""

    exit_code: ClassVar[int] = EXIT_USAGE
    kind: ClassVar[str] = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def line(self) -> str:
        """The one line printed on stderr (never more: newlines in causes are folded)."""
        return f"{self.kind}: {' '.join(self.message.split())}"


class InputError(UserError):
    """An argument or a file named on the command line cannot be used (missing, unreadable,
    not the format its name says)."""

    exit_code = EXIT_USAGE


class ConfigError(UserError):
    """A DINARWATCH_* setting (environment or .env) is invalid or points at nothing usable."""

    exit_code = EXIT_CONFIG
    kind = "configuration error"


class BrokerError(UserError):
    """The Kafka cluster cannot be reached, refused us, or timed out."""

    exit_code = EXIT_BROKER
    kind = "kafka error"


class TopicMissingError(UserError):
    """A topic the command reads or writes does not exist (we never rely on auto-creation)."""

    exit_code = EXIT_TOPIC
    kind = "kafka error"


class NothingScreenedError(UserError):
    """The input held no payment to screen: empty, every record rejected, an empty range."""

    exit_code = EXIT_NOTHING_SCREENED
    kind = "nothing screened"


class ListFetchError(UserError):
    """`lists fetch` could not download a list; the last good version stays in force."""

    exit_code = EXIT_FETCH_FAILED
    kind = "fetch failed"


class ListRefusedError(UserError):
    """`lists fetch` downloaded a list and refused it; the last good version stays in force."""

    exit_code = EXIT_FETCH_REFUSED
    kind = "fetch refused"


EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_FINDING: "the command ran and its answer is no: `replay --compare` found differences, "
    "`topics check` or `worker --check` found the pipeline not ready, `lists load` or "
    "`lists publish` found problems in a list",
    EXIT_USAGE: "bad arguments, or a file or folder named on the command line is missing, "
    "unreadable, truncated, of another format than its name says, or invalid (a YAML error, "
    "a rule pack that fails validation)",
    EXIT_CONFIG: "a DINARWATCH_* setting (environment or .env) is invalid, or the file or folder "
    "it names (rule pack, OFAC/UN lists, XSDs, SASL password file) is missing or invalid, or "
    "the web port it names is taken",
    EXIT_BROKER: "the Kafka broker cannot be reached, refused the connection or the "
    "credentials, or timed out",
    EXIT_TOPIC: "a topic the command needs does not exist (run `dinarwatch topics create`)",
    EXIT_NOTHING_SCREENED: "no payment was screened: empty input, no payment file in a folder, "
    "an empty time range, or every record rejected",
    EXIT_FETCH_FAILED: "`lists fetch` could not download a list (server down or timed out, "
    "an HTTP error, a wrong content type, too large, cut off early): the last good version "
    "stays in force",
    EXIT_FETCH_REFUSED: "`lists fetch` downloaded a list and refused it (not the source's "
    "format, fails the checks `lists publish` applies, or more than 20% fewer entries than the "
    "version in force without --force): the last good version stays in force",
    EXIT_INTERNAL: "an unexpected error (a bug): run again with --debug for the traceback",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_BROKEN_PIPE: "the program reading the output stopped early (`dinarwatch screen F` "
    "piped into `head`); nothing is printed",
}
"""The exit-code table of docs/cli.md."""


def debug_requested(flag: bool = False) -> bool:
    """--debug, or DINARWATCH_LOG_LEVEL=DEBUG: show tracebacks. Read from the environment
    directly, because the settings themselves may be what failed."""
    return flag or os.environ.get("DINARWATCH_LOG_LEVEL", "").strip().upper() == "DEBUG"


def one_line(exc: BaseException) -> str:
    """An exception as a single line: its type and its message with whitespace folded."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def describe_load_error(exc: BaseException) -> str:
    """What went wrong reading a file, in one line: YAML position, first validation errors,
    the OS's reason; never the file's content beyond the offending spot."""
    import yaml
    from pydantic import ValidationError

    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = exc.problem or exc.context or "invalid YAML"
        return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    if isinstance(exc, yaml.YAMLError):
        return f"invalid YAML: {one_line(exc)}"
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in item['loc']) or 'document'}: {item['msg']}"
            for item in exc.errors()[:3]
        ]
        more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
        return "; ".join(parts) + more
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, KeyError):
        return f"missing field {exc}"
    if isinstance(exc, SyntaxError):
        return f"not well-formed XML: {' '.join(str(exc.msg).split())}"
    if isinstance(exc, ValueError) and str(exc).strip():
        return " ".join(str(exc).split())
    return one_line(exc)


LOAD_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    KeyError,
    TypeError,
    EOFError,
    SyntaxError,  # lxml's XMLSyntaxError: a UN list file that is not XML
)


@contextmanager
def loading(what: str, error: type[UserError] = InputError, hint: str = "") -> Iterator[None]:
    """Inside the block, a failure to read or parse `what` (e.g. "rule pack bad.yaml") becomes
    one `error` line naming it; `hint` says what to do."""
    import yaml

    caught: tuple[type[BaseException], ...] = (*LOAD_ERRORS, yaml.YAMLError)
    try:
        yield
    except UserError:
        raise
    except caught as exc:
        detail = describe_load_error(exc)
        raise error(f"{what}: {detail}" + (f": {hint}" if hint else "")) from None
