"""configure_logging: no log line carries a full IBAN or account number, whoever logs it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import orjson
import pytest

from infra.logs import AccountMaskingFilter, JsonFormatter, configure_logging

IR_IBAN = "IR062960000000100324200001"
IR_MASKED = "IR06" + "*" * 18 + "0001"


@pytest.fixture
def root_stream() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """configure_logging twice (text, JSON) writing to buffers; the root logger restored after."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    buffers = []
    try:
        for json_lines in (False, True):
            configure_logging("info", json_lines)
            (handler,) = root.handlers
            assert isinstance(handler, logging.StreamHandler)
            buffer = io.StringIO()
            handler.setStream(buffer)
            buffers.append((handler, buffer))
        root.handlers[:] = [h for h, _ in buffers]
        yield buffers[0][1], buffers[1][1]
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def test_configure_logging_installs_the_filter_on_the_root_handler() -> None:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    try:
        for json_lines in (False, True):
            configure_logging("warning", json_lines)
            (handler,) = root.handlers
            assert any(isinstance(f, AccountMaskingFilter) for f in handler.filters)
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def test_messages_extras_and_tracebacks_are_masked_in_text_and_json(
    root_stream: tuple[io.StringIO, io.StringIO],
) -> None:
    text, json_lines = root_stream
    log = logging.getLogger("some.library")
    log.info("rejected payment to %s from account %s", IR_IBAN, "0012345678901")
    log.warning("screened", extra={"creditor": IR_IBAN, "detail": {"accounts": ["0012345678901"]}})
    try:
        raise ValueError(f"bad input_value='{IR_IBAN}'")
    except ValueError:
        log.exception("decode failed")

    for out in (text.getvalue(), json_lines.getvalue()):
        assert IR_IBAN not in out and "0012345678901" not in out
        assert IR_MASKED in out and "*********8901" in out
    docs = [orjson.loads(line) for line in json_lines.getvalue().splitlines()]
    assert docs[0]["msg"] == f"rejected payment to {IR_MASKED} from account *********8901"
    assert docs[1]["creditor"] == IR_MASKED
    assert docs[1]["detail"] == {"accounts": ["*********8901"]}
    assert "ValueError" in docs[2]["exc"] and IR_MASKED in docs[2]["exc"]
    assert "Traceback" in text.getvalue()


def test_lines_without_accounts_are_left_alone(
    root_stream: tuple[io.StringIO, io.StringIO],
) -> None:
    _, json_lines = root_stream
    log = logging.getLogger("dinarwatch.worker")
    log.info(
        "%d payments, amount %s IQD, offset %d@%s",
        3,
        "13000000.00",
        1234567,
        "SYN-42-00000123",
        extra={"payment_id": "E2E-0001", "count": 123456789},
    )
    (doc,) = [orjson.loads(line) for line in json_lines.getvalue().splitlines()]
    assert doc["msg"] == "3 payments, amount 13000000.00 IQD, offset 1234567@SYN-42-00000123"
    assert doc["payment_id"] == "E2E-0001" and doc["count"] == 123456789


def test_the_filter_leaves_an_unmatched_record_untouched() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "n=%d", (5,), None)
    assert AccountMaskingFilter().filter(record)
    assert (record.msg, record.args) == ("n=%d", (5,))


def test_a_bad_format_string_does_not_raise_from_the_filter() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "n=%d %d", (5,), None)
    assert AccountMaskingFilter().filter(record)
    with pytest.raises(TypeError):
        JsonFormatter().format(record)
