"""Every planted violation survives rendering to pacs.008/MT103 and parsing back."""

from collections import Counter
from datetime import UTC, datetime

from generator.renderers import formats_for, renderers
from generator.traffic import TrafficSpec, generate
from lists.files import default_context
from offline.screen import Rejected, Screened, SourceRecord, screen_records

START = datetime(2025, 6, 2, 6, tzinfo=UTC)


def test_mixed_formats_give_exactly_the_labelled_rules() -> None:
    spec = TrafficSpec(
        count=1500,
        seed=5,
        start=START,
        violation_rate=0.2,
        formats=formats_for("mixed"),
        renderers=renderers(),
    )
    records = list(generate(spec))
    sources = [SourceRecord(r.label["payment_id"], r.value, r.content_type) for r in records]
    results = list(screen_records(sources, default_context(), START, 1_048_576))
    assert len(results) == len(records)
    formats: Counter[str] = Counter()
    for record, result in zip(records, results, strict=True):
        assert isinstance(result, Screened), result
        assert result.payment.payment_id == record.label["payment_id"]
        rules = sorted({f.rule for f in result.decision.findings})
        assert rules == record.label["expected_rules"], (record.label, result.decision.findings)
        formats[result.payment.message_type.value] += 1
    assert set(formats) == {"json", "pacs.008", "mt103"}


def test_corrupt_bank_messages_on_request_are_rejected_with_a_reason() -> None:
    spec = TrafficSpec(
        count=400,
        seed=9,
        start=START,
        malformed_rate=0.3,
        formats=("pacs008", "mt103"),
        renderers=renderers(),
    )
    records = [r for r in generate(spec) if "malformed" in r.label]
    assert {r.label["malformed"] for r in records} == {"truncated-pacs008", "truncated-mt103"}
    sources = [SourceRecord(r.label["payment_id"], r.value, r.content_type) for r in records]
    results = list(screen_records(sources, default_context(), START, 1_048_576))
    assert len(results) == len(records)
    for result in results:
        assert isinstance(result, Rejected), result
        assert result.rejection.reason.startswith(("xml-", "mt-")), result.rejection
