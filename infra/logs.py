"""Logging set-up: plain text for a terminal, one JSON object per line for log shippers.

Every handler configure_logging installs carries an AccountMaskingFilter: IBANs and account
numbers are masked in the message, the JSON extra fields and the traceback of every record the
handler writes, whichever library logged it (full values belong on payments.decisions only).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from schemas.masking import ACCOUNT_TOKEN, mask_text

_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message"}
_PLAIN = (str, int, float, bool, type(None))
_MAX_DEPTH = 4


class JsonFormatter(logging.Formatter):
    """Structured log lines; extra fields (payment_id, ...) passed via `extra=` are kept."""

    _RESERVED = _RESERVED

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        doc.update({k: v for k, v in vars(record).items() if k not in self._RESERVED})
        # exc_text first: the masking filter leaves the masked traceback there.
        exc = record.exc_text
        if not exc and record.exc_info:
            exc = self.formatException(record.exc_info)
        if exc:
            doc["exc"] = exc
        if record.stack_info:
            doc["stack"] = record.stack_info
        return orjson.dumps(doc, default=str).decode()


class AccountMaskingFilter(logging.Filter):
    """Masks IBAN-like tokens and long digit runs in a record before a handler formats it.

    Cheap on the common path: one search of the formatted message with the precompiled pattern,
    and the record is left alone when nothing matches. Extra fields are checked only when the
    record has any; tracebacks are formatted (once, cached in exc_text) only when present."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it, as without the filter
            return True
        if ACCOUNT_TOKEN.search(message):
            record.msg, record.args = mask_text(message), None
        for key, value in list(vars(record).items()):
            if key not in _RESERVED:
                try:
                    masked = _mask_value(value, _MAX_DEPTH)
                except Exception:  # an extra whose str() fails: logging must not raise
                    masked = "<unprintable>"
                if masked is not value:
                    setattr(record, key, masked)
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text and ACCOUNT_TOKEN.search(record.exc_text):
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info and ACCOUNT_TOKEN.search(record.stack_info):
            record.stack_info = mask_text(record.stack_info)
        return True


def _mask_value(value: Any, depth: int) -> Any:
    """An extra field's value with its strings masked; the same object when nothing changes.
    Numbers stay numbers; containers are walked `depth` levels deep; anything else (and deeper
    containers) is masked as the string it will be logged as."""
    if isinstance(value, str):
        return mask_text(value) if ACCOUNT_TOKEN.search(value) else value
    if isinstance(value, _PLAIN):
        return value
    if depth > 0 and isinstance(value, dict):
        items = [(k, v, _mask_value(v, depth - 1)) for k, v in value.items()]
        changed = any(m is not v for _, v, m in items)
        return {k: m for k, _, m in items} if changed else value
    if depth > 0 and isinstance(value, list | tuple | set | frozenset):
        pairs = [(v, _mask_value(v, depth - 1)) for v in value]
        changed = any(m is not v for v, m in pairs)
        return [m for _, m in pairs] if changed else value
    text = str(value)
    return mask_text(text) if ACCOUNT_TOKEN.search(text) else value


def configure_logging(level: str, json_lines: bool) -> None:
    handler = logging.StreamHandler()
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(AccountMaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def plain_worker_output(worker: Any) -> None:
    """No terminal progress spinner when the worker's stdout is not a terminal.

    Faust's Worker draws a spinner during start-up and, even into a file or a pipe, ends it with
    a backspace and the "show cursor" escape sequence, which then sits in the middle of a log
    file. On a terminal the spinner stays.
    """
    stream = getattr(worker, "stdout", None)
    isatty = getattr(stream, "isatty", None)
    if not (callable(isatty) and isatty()):
        worker.spinner = None
